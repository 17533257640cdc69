#!/usr/bin/env bash
# Builds a Debian sid root with Asterisk for the PBX lab.
# Usage: build-root.sh TARGET_DIR MIRROR_URL
# TARGET_DIR must be missing or empty; the caller renames it into the cache when this succeeds.
set -euo pipefail

target=${1:?target directory}
mirror=${2:?mirror URL}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
package_list="$here/root-packages.txt"

log() { printf 'build-root: %s\n' "$*" >&2; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

in_root() {
  chroot "$target" /usr/bin/env -i \
    PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
    DEBIAN_FRONTEND=noninteractive "$@"
}

t0=$(now)
log "debootstrap --variant=minbase sid from $mirror"
debootstrap --variant=minbase sid "$target" "$mirror" >"$target.debootstrap.log" 2>&1 || {
  tail -n 30 "$target.debootstrap.log" >&2
  log "debootstrap failed (last lines above)"
  exit 1
}
rm -f "$target.debootstrap.log"
log "debootstrap done in $(elapsed "$t0") s"

# The sid Release file may be past its Valid-Until date; no service may start inside the root.
cat >"$target/etc/apt/apt.conf.d/90kcc-lab" <<'EOF'
Acquire::Check-Valid-Until "false";
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Dpkg::Use-Pty "false";
EOF
printf '#!/bin/sh\nexit 101\n' >"$target/usr/sbin/policy-rc.d"
chmod 0755 "$target/usr/sbin/policy-rc.d"

t1=$(now)
in_root apt-get -q update >/dev/null || {
  log "apt-get update inside the root failed: check that $mirror is reachable"
  exit 1
}
packages=()
while read -r name; do
  name=${name%%#*}
  name=${name//[[:space:]]/}
  [[ -n $name ]] || continue
  if [[ $name == \?* ]]; then
    name=${name#\?}
    if ! in_root apt-cache show "$name" >/dev/null 2>&1; then
      log "optional package $name is not in the archive, skipped"
      continue
    fi
  fi
  packages+=("$name")
done <"$package_list"
log "apt-get install ${packages[*]}"
in_root apt-get -q -y install "${packages[@]}" >"$target.apt.log" 2>&1 || {
  tail -n 30 "$target.apt.log" >&2
  log "package installation failed (last lines above)"
  exit 1
}
rm -f "$target.apt.log"
in_root apt-get clean
rm -rf "$target"/var/lib/apt/lists/*
log "packages installed in $(elapsed "$t1") s"

# shellcheck disable=SC2016 # dpkg-query's own format syntax
version=$(in_root dpkg-query -W -f '${Version}' asterisk)
printf 'asterisk=%s\nbuilt=%s\n' "$version" "$(date -u +%FT%TZ)" >"$target/etc/kcc-pbx-lab-root"
log "root ready: asterisk $version, total $(elapsed "$t0") s"
