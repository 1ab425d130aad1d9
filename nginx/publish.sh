#!/usr/bin/env bash
# Publish one environment's studio and nginx configuration to the edge VM, then
# check and reload nginx; a configuration nginx rejects is put back as it was.
#
# usage: nginx/publish.sh staging|production STUDIO_DIR RELEASE
#
# STUDIO_DIR is the built studio (index.html + assets/), RELEASE names it (the
# commit SHA). Needs EDGE_SSH (user@host of the VM, a key in the ssh agent and the
# host key in known_hosts) and what nginx/render.sh needs for the environment.
# EDGE_WWW_ROOT (/var/www/posestudio) and EDGE_NGINX_DIR (/etc/nginx) say where
# things go on the VM.
#
# On the VM (set up once, docs/deploy.md): the deploy user owns
# /var/www/posestudio/ENV, /etc/nginx/posestudio/ENV and
# /etc/nginx/conf.d/posestudio-{http,ENV}.conf, and may run `sudo nginx -t` and
# `sudo systemctl reload nginx`. A configuration nginx rejects is put back as it
# was, and the studio is switched only once nginx has accepted the new one.
set -euo pipefail

[ $# -eq 3 ] || { echo "usage: $0 staging|production STUDIO_DIR RELEASE" >&2; exit 2; }
environment=$1
studio=$2
release=$3
: "${EDGE_SSH:?set EDGE_SSH (deploy user@edge VM)}"
[ -f "$studio/index.html" ] || { echo "$studio/index.html is missing: not a built studio" >&2; exit 1; }
[[ "$release" =~ ^[0-9A-Za-z._-]+$ ]] || { echo "bad release name: $release" >&2; exit 2; }

here=$(cd "$(dirname "$0")" && pwd)
rendered=$(mktemp -d)
trap 'rm -rf "$rendered"' EXIT
"$here/render.sh" "$environment" "$rendered"

www=${EDGE_WWW_ROOT:-/var/www/posestudio}
nginx_dir=${EDGE_NGINX_DIR:-/etc/nginx}
root=$www/$environment
incoming=$root/incoming-config
rsync -a --mkpath --delete "$studio/" "$EDGE_SSH:$root/releases/$release/"
rsync -a --mkpath --delete "$rendered/" "$EDGE_SSH:$incoming/"

ssh "$EDGE_SSH" bash -s -- "$environment" "$release" "$www" "$nginx_dir" <<'REMOTE'
set -euo pipefail
environment=$1
release=$2
root=$3/$environment
nginx_dir=$4
incoming=$root/incoming-config
backup=$root/previous-config
site=$nginx_dir/conf.d/posestudio-$environment.conf
shared=$nginx_dir/conf.d/posestudio-http.conf
snippets=$nginx_dir/posestudio/$environment

rm -rf "$backup" && mkdir -p "$backup/snippets" "$snippets"
cp -a "$snippets/." "$backup/snippets/"
[ -f "$site" ] && cp -a "$site" "$backup/site.conf"
[ -f "$shared" ] && cp -a "$shared" "$backup/http.conf"

cp -a "$incoming/posestudio/$environment/." "$snippets/"
cp "$incoming/conf.d/posestudio-$environment.conf" "$site"
cp "$incoming/conf.d/posestudio-http.conf" "$shared"

if ! sudo nginx -t; then
  echo "nginx rejected the new configuration; putting the previous one back" >&2
  rm -rf "${snippets:?}"/* && cp -a "$backup/snippets/." "$snippets/"
  if [ -f "$backup/site.conf" ]; then cp -a "$backup/site.conf" "$site"; else rm -f "$site"; fi
  if [ -f "$backup/http.conf" ]; then cp -a "$backup/http.conf" "$shared"; else rm -f "$shared"; fi
  exit 1
fi

# Switch the studio atomically: a new symlink renamed over the old one.
ln -sfn "releases/$release" "$root/current.new"
mv -T "$root/current.new" "$root/current"
sudo systemctl reload nginx

# Keep the five newest releases (the current one among them) for a quick rollback.
current=$(readlink "$root/current")
find "$root/releases" -mindepth 1 -maxdepth 1 -type d -printf '%T@ %p\n' | sort -rn \
  | tail -n +6 | cut -d' ' -f2- | while read -r old; do
    [ "releases/$(basename "$old")" = "$current" ] || rm -rf "$old"
  done
echo "published $environment studio $release"
REMOTE
