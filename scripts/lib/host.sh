# Shared by scripts/demo and scripts/test: checks and installs what the host needs.
# shellcheck shell=bash

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)

say() { printf '\033[1m%s\033[0m\n' "$*" >&2; }
fail() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

require_root() {
  [ "$(id -u)" -eq 0 ] || fail "run as root (sudo $0): the PBX lab mounts file systems and chroots into Asterisk's root"
}

require_node() {
  command -v node >/dev/null || fail "Node.js 20 or newer is needed: apt-get install nodejs npm"
  local major
  major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$major" -ge 20 ] || fail "Node.js $(node -v) is too old: version 20 or newer is needed"
}

apt_updated=0
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "Installing host packages: ${missing[*]}"
  if [ "$apt_updated" -eq 0 ]; then
    apt-get update -qq || fail "apt-get update failed: check the network and /etc/apt/sources.list"
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    fail "could not install ${missing[*]} with apt-get"
}

# Installs npm dependencies from the lock file, skipping the work when nothing changed.
npm_install() {
  local stamp="$repo/node_modules/.kcc-lock-sha256" want
  want=$(sha256sum "$repo/package-lock.json" | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return 0; fi
  say "Installing npm dependencies (npm ci)"
  (cd "$repo" && npm ci --no-audit --no-fund --loglevel=error) || fail "npm ci failed"
  echo "$want" >"$stamp"
}

build_all() {
  say "Building the controller and the console"
  (cd "$repo" && npm run --silent build) || fail "build failed"
}
