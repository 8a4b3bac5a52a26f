#!/usr/bin/env bash
# A clean room for the wheels: a minimal Debian 11 root filesystem (glibc 2.31, its Python 3.9 and
# venv; no compiler, no Abseil, no OpenSSL headers or libraries beyond what Python itself uses),
# where pip installs the matching wheel from a directory plus TensorFlow from PyPI, then runs a
# script against Ignite outside it (the root filesystem shares this machine's loopback).
#   bash .ci/clean_room.sh DIST_DIR SCRIPT [ARGS...]   -> prints what SCRIPT prints
# Needs root. The root filesystem and pip's downloads are cached under ~/.cache.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=rootfs.sh
source "$REPO/.ci/rootfs.sh"
rootfs_need_root "bash .ci/clean_room.sh"
if [ "$#" -lt 2 ]; then
  echo "usage: bash .ci/clean_room.sh DIST_DIR SCRIPT [ARGS...]" >&2
  exit 2
fi
dist="$(cd "$1" && pwd)"
script="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
shift 2

WORK="$REPO/build/clean-room"
tar_path="$(rootfs_tar clean-room bullseye python3 python3-venv ca-certificates)"
rootfs_unpack "$tar_path" "$WORK/rootfs"
mkdir -p "$HOME/.cache/pip"
cp "$script" "$WORK/rootfs/check.py"

rootfs_run "$WORK/rootfs" "$dist:/dist:ro" "$HOME/.cache/pip:/root/.cache/pip" -- \
  env -i $(rootfs_env) TF_CPP_MIN_LOG_LEVEL=2 \
  bash -euo pipefail -c '
    if command -v cc gcc g++ >/dev/null || [ -e /usr/include/openssl ] ||
       ls /usr/lib/x86_64-linux-gnu/libabsl* >/dev/null 2>&1; then
      echo "the clean room is not clean: a compiler, OpenSSL headers or Abseil is present" >&2
      exit 1
    fi
    python3 -m venv /venv
    /venv/bin/pip install -q --disable-pip-version-check --upgrade pip >&2
    tag="cp$(python3 -c "import sys; print(*sys.version_info[:2], sep=\"\")")"
    wheel="$(ls /dist/ignite_tf-*-"$tag"-"$tag"-manylinux*.whl)"
    echo "clean room: installing $(basename "$wheel") and tensorflow" >&2
    /venv/bin/pip install -q --disable-pip-version-check "$wheel" tensorflow >&2
    exec /venv/bin/python /check.py "$@"' clean-room "$@"
