# shellcheck shell=bash
# A private apt configuration: its own sources list, package lists, cache and an
# empty dpkg status file, all under one directory. The machine's apt sources,
# lists and installed packages are never read or changed; packages are only
# downloaded (`apt-get download`) and unpacked with `dpkg-deb -x` by callers.
#
# Usage (after sourcing):
#   papt_init DIR SUITE ARCH     # writes DIR/sources.list, runs `apt-get update` once per day
#   papt apt-cache policy ipxe   # runs an apt command with the private options
#   papt_download PKG[=VER] DEST # downloads one .deb into DEST, prints its path
#
# The Debian mirror comes from PIXIE_DEBIAN_MIRROR, else from the machine's own
# apt sources (first `URIs:`/`deb` entry for the main archive).

papt_mirror() {
  if [ -n "${PIXIE_DEBIAN_MIRROR:-}" ]; then
    printf '%s\n' "$PIXIE_DEBIAN_MIRROR"
    return
  fi
  local m=""
  m=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
    awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }')
  if [ -z "$m" ]; then
    m=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
      awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/ && $i !~ /security/) { print $i; exit } }')
  fi
  if [ -z "$m" ]; then
    echo "private-apt: cannot find a Debian mirror in /etc/apt; set PIXIE_DEBIAN_MIRROR" >&2
    return 1
  fi
  printf '%s\n' "$m"
}

papt_init() {
  PAPT_DIR=$1
  local suite=$2 arch=$3 mirror
  mirror=$(papt_mirror) || return 1
  mkdir -p "$PAPT_DIR/lists/partial" "$PAPT_DIR/cache/archives/partial"
  : >"$PAPT_DIR/status"
  local line="deb [arch=$arch signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main"
  PAPT_OPTS=(
    -o "Dir::Etc::SourceList=$PAPT_DIR/sources.list"
    -o "Dir::Etc::SourceParts=/dev/null"
    -o "Dir::Etc::PreferencesParts=/dev/null"
    -o "Dir::State::Lists=$PAPT_DIR/lists"
    -o "Dir::State::status=$PAPT_DIR/status"
    -o "Dir::Cache=$PAPT_DIR/cache"
    -o "APT::Architecture=$arch"
    -o "APT::Architectures=$arch"
    -o "APT::Sandbox::User=root"
    -o "Debug::NoLocking=1"
  )
  # Refresh the lists when the sources line changed or they are older than a day.
  local stamp="$PAPT_DIR/updated"
  if [ "$(cat "$PAPT_DIR/sources.list" 2>/dev/null)" != "$line" ] ||
    [ -z "$(find "$stamp" -mmin -1440 2>/dev/null)" ]; then
    printf '%s\n' "$line" >"$PAPT_DIR/sources.list"
    apt-get "${PAPT_OPTS[@]}" -q update >&2 || return 1
    touch "$stamp"
  fi
}

papt() {
  local cmd=$1
  shift
  "$cmd" "${PAPT_OPTS[@]}" "$@"
}

# Prints the version apt would pick for PKG.
papt_version() {
  papt apt-cache policy "$1" | awk '/Candidate:/ { print $2 }'
}

papt_download() {
  local pkg=$1 dest=$2 tmp
  mkdir -p "$dest"
  tmp=$(mktemp -d "$dest/.dl.XXXXXX")
  if ! (cd "$tmp" && papt apt-get -q download "$pkg" >&2); then
    rm -rf "$tmp"
    return 1
  fi
  local deb
  deb=$(ls "$tmp"/*.deb)
  mv "$deb" "$dest/"
  rm -rf "$tmp"
  printf '%s\n' "$dest/$(basename "$deb")"
}
