#!/usr/bin/env bash
# Sets up a fresh Debian machine for ignite-tf: system packages, a Python venv with the package
# built from this checkout (TensorFlow and test extras included), and the Apache Ignite jars.
#   bash .ci/setup.sh            -> venv in .venv (override with IGNITE_TF_VENV)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${IGNITE_TF_VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3}"

# libssl-dev brings the static libssl.a/libcrypto.a the module links; openssl and the JDK's
# keytool make the TLS test certificates; valgrind runs the TLS leak check; clang and its
# runtime build the fuzzers; iproute2 (ip, tc) shapes the links of the cluster scaling benchmark.
DEBIAN_PACKAGES=(build-essential cmake ninja-build pkg-config libabsl-dev libssl-dev openssl
                 libgtest-dev libgmock-dev clang-format clang libclang-rt-14-dev
                 openjdk-17-jdk-headless maven valgrind iproute2)

missing=()
for p in "${DEBIAN_PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "== installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "== creating venv $VENV"
  "$PYTHON" -m venv "$VENV"
fi
echo "== installing Python build and test dependencies"
"$VENV/bin/pip" install -q --upgrade pip
"$VENV/bin/pip" install -q "scikit-build-core>=0.10" "pybind11>=2.12" "numpy>=1.26" ruff
echo "== building and installing ignite-tf (C++ core + pybind11 module)"
"$VENV/bin/pip" install -q --no-build-isolation "$ROOT[tensorflow,test,bench,demo]"

echo "== resolving Apache Ignite jars with Maven (cached in ~/.cache/ignite-tf)"
# From a neutral directory, so the installed package (with its compiled core) is imported. The
# second pom is Ignite 2.8.1, the last release with IGFS, for the legacy igfs:// tests.
(cd / && "$VENV/bin/python" -c "from ignite_tf.testing import resolve_ignite_classpath as r; print(len(r()), 'jars')")
(cd / && "$VENV/bin/python" -c "from ignite_tf.testing import LEGACY_IGFS_POM_PATH as p, resolve_ignite_classpath as r; print(len(r(pom=p)), 'jars')")
echo "== setup done: $VENV"
