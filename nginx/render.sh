#!/usr/bin/env bash
# Render the edge nginx configuration of one environment into OUT_DIR, laid out as
# under /etc/nginx on the VM:
#
#   OUT_DIR/conf.d/posestudio-http.conf          shared map and default servers
#   OUT_DIR/conf.d/posestudio-ENVIRONMENT.conf    the environment's server blocks
#   OUT_DIR/posestudio/ENVIRONMENT/*.conf         the snippets they include
#
# Only the variables listed below are substituted (nginx's own $variables stay).
# Each environment has its own snippet folder, so a staging deploy never changes
# what production serves.
#
# usage: nginx/render.sh production|staging OUT_DIR
# needs: <ENV>_HOSTNAME (public name), <ENV>_TUNNEL_HOSTNAME (the GPU host's tunnel name),
#   or POSE_STUDIO_HOSTNAME and POSE_STUDIO_TUNNEL_HOSTNAME (what the deploy workflow
#   sets from the GitHub environment) for the one environment being rendered
# optional: <ENV>_TUNNEL_ADDRESS (default <ENV>_TUNNEL_HOSTNAME:443),
#   POSESTUDIO_HTTP_LISTEN (80), POSESTUDIO_HTTPS_LISTEN (443),
#   POSESTUDIO_TLS_DIR (/etc/letsencrypt/live), POSESTUDIO_STUDIO_ROOT (/var/www/posestudio),
#   POSESTUDIO_LOG_DIR (/var/log/nginx), POSESTUDIO_UPSTREAM_SCHEME (https)
set -euo pipefail

usage() { echo "usage: $0 production|staging OUT_DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
environment=$1
out=$2
case "$environment" in
  production | staging) ;;
  *) usage ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
prefix=${environment^^}

host_var="${prefix}_HOSTNAME"
tunnel_var="${prefix}_TUNNEL_HOSTNAME"
address_var="${prefix}_TUNNEL_ADDRESS"
printf -v "$host_var" %s "${!host_var:-${POSE_STUDIO_HOSTNAME:-}}"
printf -v "$tunnel_var" %s "${!tunnel_var:-${POSE_STUDIO_TUNNEL_HOSTNAME:-}}"
: "${!host_var:?set $host_var (the public hostname of $environment)}"
: "${!tunnel_var:?set $tunnel_var (the tunnel hostname of the GPU host for $environment)}"
export "${host_var?}" "${tunnel_var?}"
export "$address_var=${!address_var:-${!tunnel_var}:443}"
export POSESTUDIO_ENV=$environment
export POSESTUDIO_HTTP_LISTEN=${POSESTUDIO_HTTP_LISTEN:-80}
export POSESTUDIO_HTTPS_LISTEN=${POSESTUDIO_HTTPS_LISTEN:-443}
export POSESTUDIO_TLS_DIR=${POSESTUDIO_TLS_DIR:-/etc/letsencrypt/live}
export POSESTUDIO_STUDIO_ROOT=${POSESTUDIO_STUDIO_ROOT:-/var/www/posestudio}
export POSESTUDIO_LOG_DIR=${POSESTUDIO_LOG_DIR:-/var/log/nginx}
export POSESTUDIO_UPSTREAM_SCHEME=${POSESTUDIO_UPSTREAM_SCHEME:-https}

variables="\${$host_var} \${$tunnel_var} \${$address_var} \${POSESTUDIO_ENV}"
for name in HTTP_LISTEN HTTPS_LISTEN TLS_DIR STUDIO_ROOT LOG_DIR UPSTREAM_SCHEME; do
  variables+=" \${POSESTUDIO_$name}"
done

render() { envsubst "$variables" <"$1" >"$2"; }

mkdir -p "$out/conf.d" "$out/posestudio/$environment"
render "$here/http.conf" "$out/conf.d/posestudio-http.conf"
render "$here/sites/$environment.conf" "$out/conf.d/posestudio-$environment.conf"
for snippet in "$here"/snippets/*.conf; do
  render "$snippet" "$out/posestudio/$environment/$(basename "$snippet")"
done

# A variable left unrendered would reach nginx as a literal "${…}".
# shellcheck disable=SC2016  # the pattern is a literal "${", not an expansion
if grep -rn '\${[A-Z_]*}' "$out/conf.d" "$out/posestudio/$environment"; then
  echo "unrendered variables above" >&2
  exit 1
fi
