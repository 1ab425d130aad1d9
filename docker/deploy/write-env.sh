#!/usr/bin/env bash
# Write an environment's .env on the GPU host from the deploy job's environment
# (GitHub environment secrets and variables), readable by its owner only.
#
# usage: docker/deploy/write-env.sh OUT_FILE
#
# Values are written single-quoted, so Compose takes them literally (a `$` in a
# password stays a `$`); a value holding a single quote or a newline is refused.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 OUT_FILE" >&2; exit 2; }
out=$1

required=(
  POSE_STUDIO_IMAGE_REPO
  POSE_STUDIO_PUBLIC_URL
  POSE_STUDIO_TOKEN
  POSE_STUDIO_METRICS_TOKEN
  POSTGRES_PASSWORD
  GRAFANA_ADMIN_PASSWORD
  CLOUDFLARE_TUNNEL_TOKEN
)
optional=(
  POSE_STUDIO_LOG_LEVEL
  POSE_STUDIO_ENGINES
  POSE_STUDIO_DEFAULT_ENGINE
  POSE_STUDIO_AGENT_MODEL
  POSE_STUDIO_AGENT_BASE_URL
  POSE_STUDIO_AGENT_API_KEY
  PROMETHEUS_RETENTION
  POSE_STUDIO_ROBOT_TOKEN
)

missing=()
for name in "${required[@]}"; do
  [ -n "${!name:-}" ] || missing+=("$name")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "missing in the GitHub environment: ${missing[*]}" >&2
  exit 1
fi

umask 077
mkdir -p "$(dirname "$out")"
tmp=$(mktemp "$out.XXXXXX")
trap 'rm -f "$tmp"' EXIT
{
  echo "# Written by docker/deploy/write-env.sh; replaced on every deploy."
  for name in "${required[@]}" "${optional[@]}"; do
    value=${!name:-}
    [ -n "$value" ] || continue
    case "$value" in
      *"'"* | *$'\n'*)
        echo "$name holds a single quote or a newline, which the .env format cannot carry" >&2
        exit 1
        ;;
    esac
    printf "%s='%s'\n" "$name" "$value"
  done
} >"$tmp"
mv "$tmp" "$out"
trap - EXIT
