#!/usr/bin/env bash
# Deploy one commit of Pose Studio to one environment on the GPU host; roll back to
# the previously deployed commit when it does not come up healthy.
#
# usage: docker/deploy/deploy.sh staging|production SHA
#
# Run from a checkout of SHA (the deploy workflow's self-hosted runner does this).
# Under POSE_STUDIO_STATE_DIR (default /srv/posestudio/ENVIRONMENT):
#   .env            the environment's secrets and settings (written by write-env.sh)
#   releases/SHA/   the compose file and configs of each deployed commit, copied from
#                   the checkout, so the stack never runs from the runner's workspace
#                   and a rollback gets the old configuration along with the old images
#   deployed_sha    the commit now running (written after a healthy deploy)
# The images are $POSE_STUDIO_IMAGE_REPO/{backend,agent}:SHA, built and pushed by CI.
#
# Health: once `docker compose up --wait` has every container healthy, /ready must
# answer 200 through the public hostname ($POSE_STUDIO_PUBLIC_URL/ready), polled up to
# HEALTH_ATTEMPTS times, HEALTH_INTERVAL seconds apart.
#
# Exit status: 0 deployed and healthy; 1 failed (rolled back when there was a
# previous commit); 2 usage.
set -euo pipefail

usage() { echo "usage: $0 staging|production SHA" >&2; exit 2; }
[ $# -eq 2 ] || usage
environment=$1
sha=$2
case "$environment" in
  staging | production) ;;
  *) usage ;;
esac
[[ "$sha" =~ ^[0-9a-f]{7,40}$ ]] || { echo "not a commit SHA: $sha" >&2; exit 2; }

repo=$(cd "$(dirname "$0")/../.." && pwd)
state=${POSE_STUDIO_STATE_DIR:-/srv/posestudio/$environment}
env_file=$state/.env
attempts=${HEALTH_ATTEMPTS:-30}
interval=${HEALTH_INTERVAL:-10}

log() { echo "[deploy $environment] $*" >&2; }

[ -r "$env_file" ] || { log "missing $env_file (see docs/deploy.md)"; exit 1; }
public_url=$(sed -n "s/^POSE_STUDIO_PUBLIC_URL=//p" "$env_file" | tail -n 1 | tr -d "'\"")
[ -n "$public_url" ] || { log "POSE_STUDIO_PUBLIC_URL is not set in $env_file"; exit 1; }

# The release being worked on; every compose call names its files explicitly, so
# nothing depends on the working directory and the development override is never used.
release_dir=""
compose() {
  docker compose --project-directory "$release_dir" \
    --env-file "$release_dir/docker/env/$environment.env" --env-file "$env_file" \
    -f "$release_dir/docker-compose.yml" "$@"
}

stage() {
  local dir=$state/releases/$1
  rm -rf "$dir.tmp" && mkdir -p "$dir.tmp/docker"
  cp -a "$repo/docker-compose.yml" "$dir.tmp/"
  cp -a "$repo/docker/env" "$repo/docker/prometheus" "$repo/docker/grafana" \
    "$repo/docker/cloudflared" "$dir.tmp/docker/"
  rm -rf "$dir" && mv "$dir.tmp" "$dir"
}

healthy() {
  local n
  for ((n = 1; n <= attempts; n++)); do
    if curl -fsS --max-time 10 -o /dev/null "$public_url/ready"; then
      log "healthy: $public_url/ready (attempt $n)"
      return 0
    fi
    log "not ready yet: $public_url/ready (attempt $n of $attempts)"
    ((n < attempts)) && sleep "$interval"
  done
  return 1
}

# Migrations run from the new backend image before it serves (a failed one fails the
# deploy, which rolls back); an image without `posestudio db upgrade` (from before
# persistence) has nothing to migrate.
migrate() {
  compose run --rm --no-deps backend sh -c \
    'if posestudio db upgrade --help >/dev/null 2>&1; then exec posestudio db upgrade; fi; echo "no migrations in this image"'
}

# release SHA [migrate]: start SHA's stack; a rollback does not migrate, since an older
# image cannot know a newer schema (migrations keep the previous release working).
release() {
  export POSE_STUDIO_TAG=$1
  # The stack's one-shot migrate service follows the same rule (docker-compose.yml).
  if [ "${2:-}" = migrate ]; then export POSE_STUDIO_MIGRATE=yes; else export POSE_STUDIO_MIGRATE=no; fi
  release_dir=$state/releases/$1
  [ -d "$release_dir" ] || { log "no release folder $release_dir"; return 1; }
  log "deploying $POSE_STUDIO_TAG"
  compose config --quiet || return 1
  compose pull --quiet || return 1
  compose up -d --wait --wait-timeout 300 postgres redis || return 1
  if [ "${2:-}" = migrate ]; then
    migrate || return 1
  fi
  compose up -d --wait --wait-timeout 600 --remove-orphans || return 1
  healthy || return 1
}

previous=""
[ -r "$state/deployed_sha" ] && previous=$(cat "$state/deployed_sha")

prune() {
  local keep=("$sha" "$previous") dir name
  # The five newest releases stay, and always the current and previous ones.
  find "$state/releases" -mindepth 1 -maxdepth 1 -type d -printf '%T@ %f\n' | sort -rn \
    | tail -n +6 | cut -d' ' -f2- | while read -r name; do
      dir=$state/releases/$name
      [[ " ${keep[*]} " == *" $name "* ]] || rm -rf "$dir"
    done
}

stage "$sha"
# MIGRATE=no skips migrations (a rollback by hand to an older commit).
if release "$sha" "$([ "${MIGRATE:-yes}" = no ] || echo migrate)"; then
  if [ -n "$previous" ] && [ "$previous" != "$sha" ]; then
    echo "$previous" >"$state/previous_sha"
  fi
  echo "$sha" >"$state/deployed_sha"
  prune
  log "deployed $sha"
  exit 0
fi

log "deploy of $sha failed"
compose ps || true
compose logs --no-color --tail 100 || true
if [ -z "$previous" ] || [ "$previous" = "$sha" ]; then
  log "no previous commit to roll back to"
  exit 1
fi
log "rolling back to $previous"
if release "$previous"; then
  log "rolled back to $previous; $sha is not deployed"
else
  log "ROLLBACK TO $previous FAILED TOO: the environment needs a hand (docs/deploy.md)"
fi
exit 1
