# Older Debian root filesystems for building and trying wheels, sourced by .ci/wheels.sh and
# .ci/clean_room.sh (needs root: mmdebstrap and chroot).
#
#   rootfs_tar NAME SUITE PACKAGES...   -> path of a cached tarball (made once by mmdebstrap)
#   rootfs_unpack TAR DIR               -> DIR holds a fresh copy of it
#   rootfs_run DIR [BIND...] -- CMD...  -> CMD run chrooted in DIR, in a mount namespace of its own
#
# A BIND is HOST_PATH:PATH_INSIDE[:ro]. The mounts (and /proc, /dev) vanish with the namespace, so
# nothing stays mounted on the machine when a run ends or fails.

ROOTFS_CACHE="${IGNITE_TF_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ignite-tf}/rootfs"
ROOTFS_MIRROR="${IGNITE_TF_DEBIAN_MIRROR:-http://deb.debian.org}"

rootfs_need_root() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "$1 needs root (mmdebstrap and chroot); run it as root or with sudo" >&2
    exit 1
  fi
}

# Prints the path of a tarball of a minimal Debian SUITE with PACKAGES, made on first use and kept
# in the cache (the name carries a hash of what went into it). Extra apt source lines can be given
# in ROOTFS_EXTRA_SOURCES (one per line).
rootfs_tar() {
  local name="$1" suite="$2"
  shift 2
  local packages
  packages="$(printf '%s\n' "$@" | sort | paste -sd, -)"
  local sources="deb $ROOTFS_MIRROR/debian $suite main
deb $ROOTFS_MIRROR/debian-security $suite-security main
${ROOTFS_EXTRA_SOURCES:-}"
  local key
  key="$(printf '%s\n%s\n%s\n' "$suite" "$packages" "$sources" | sha256sum | cut -c1-12)"
  local tar="$ROOTFS_CACHE/$name-$suite-$key.tar"
  if [ ! -s "$tar" ]; then
    if ! command -v mmdebstrap >/dev/null; then
      echo "== installing mmdebstrap" >&2
      apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mmdebstrap >&2
    fi
    mkdir -p "$ROOTFS_CACHE"
    echo "== making the $suite root filesystem '$name' (cached as $tar)" >&2
    local lines=()
    while IFS= read -r line; do
      [ -n "$line" ] && lines+=("$line")
    done <<<"$sources"
    # (mmdebstrap picks the output format from the name's ending: .tar)
    mmdebstrap --quiet --variant=minbase --include="$packages" "$suite" "${tar%.tar}.part.tar" \
      "${lines[@]}" >&2
    mv "${tar%.tar}.part.tar" "$tar"
  fi
  printf '%s\n' "$tar"
}

rootfs_unpack() {
  local tar="$1" dir="$2"
  rm -rf "$dir"
  mkdir -p "$dir"
  tar -xf "$tar" -C "$dir"
  cp /etc/resolv.conf "$dir/etc/resolv.conf"
  # This machine's trust store, so that HTTPS goes through whatever proxy CA it trusts.
  if [ -s /etc/ssl/certs/ca-certificates.crt ]; then
    mkdir -p "$dir/etc/ssl/certs"
    cp /etc/ssl/certs/ca-certificates.crt "$dir/etc/ssl/certs/ca-certificates.crt"
  fi
}

# The environment a chrooted command starts with: nothing of the caller's but the proxy settings,
# plus the trust store above for Python's and pip's HTTPS.
rootfs_env() {
  local cert=/etc/ssl/certs/ca-certificates.crt
  printf '%s\n' HOME=/root PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 \
    PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_DEFAULT_TIMEOUT=180 \
    SSL_CERT_FILE=$cert PIP_CERT=$cert REQUESTS_CA_BUNDLE=$cert
  env | grep -iE '^(https?|no)_proxy=' || true
}

rootfs_run() {
  local dir="$1"
  shift
  local mounts=""
  while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do
    local host="${1%%:*}" rest="${1#*:}"
    local inside="${rest%%:*}" mode=""
    [ "$rest" != "$inside" ] && mode="${rest#*:}"
    mounts+="mkdir -p '$dir$inside'; mount --bind '$host' '$dir$inside';"
    [ "$mode" = "ro" ] && mounts+="mount -o remount,bind,ro '$dir$inside';"
    shift
  done
  shift
  unshare --mount --propagation private -- bash -c "set -e
    mount -t proc proc '$dir/proc'
    mount --rbind /dev '$dir/dev'
    $mounts
    exec chroot '$dir' \"\$@\"" rootfs "$@"
}
