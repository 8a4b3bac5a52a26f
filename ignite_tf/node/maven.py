"""Apache Ignite's server jars: the version pinned in the packaged pom, resolved once with Maven.

``ignite_tf/server/pom.xml`` is the only place where the Ignite version is pinned;
``ignite_tf/server/pom-2.8.1.xml`` pins Ignite 2.8.1, the last release with IGFS, for the legacy
IGFS backend (:data:`LEGACY_IGFS_POM_PATH`; every function here takes ``pom=`` to use it).
``mvn dependency:copy-dependencies`` copies the jars a pom lists into a cache directory, stamped
with the pom's digest, so they are downloaded once per pom.

Environment: ``IGNITE_TF_IGNITE_LIBS`` (jars to use as they are) and
``IGNITE_TF_CACHE_DIR`` (where resolved jars are cached);
all of the launcher's variables are described in :mod:`ignite_tf.node`.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from ignite_tf.node.errors import IgniteNodeError, _tail_text

ENV_IGNITE_LIBS = "IGNITE_TF_IGNITE_LIBS"
ENV_CACHE_DIR = "IGNITE_TF_CACHE_DIR"

# The packaged server files: the pom (here) and the default node configuration (config.py).
SERVER_DIR = Path(__file__).resolve().parent.parent / "server"
POM_PATH = SERVER_DIR / "pom.xml"
# Ignite 2.8.1 with IGFS, for the legacy IGFS backend (issue 15).
LEGACY_IGFS_POM_PATH = SERVER_DIR / "pom-2.8.1.xml"

_POM_HASH_FILE = ".pom-sha256"


def ignite_version(pom: str | os.PathLike[str] | None = None) -> str:
    """Return the Apache Ignite version pinned in ``ignite_tf/server/pom.xml``.

    Args:
        pom: another pom to read (default: the packaged one).

    Returns:
        The ``ignite.version`` property, e.g. ``"2.17.0"``.
    """
    path = Path(pom) if pom is not None else POM_PATH
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as exc:
        raise IgniteNodeError(f"cannot read the Ignite pom {path}: {exc}") from exc
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    elem = root.find("m:properties/m:ignite.version", ns)
    if elem is None:  # a pom without the default namespace
        elem = root.find("properties/ignite.version")
    if elem is None or not (elem.text or "").strip():
        raise IgniteNodeError(f"{path} has no <properties><ignite.version>")
    return (elem.text or "").strip()


def packaged_pom(version: str) -> Path:
    """The packaged pom (``ignite_tf/server/pom*.xml``) that pins Apache Ignite ``version``.

    Raises:
        IgniteNodeError: no packaged pom pins that version (the message lists those that do).
    """
    poms = {ignite_version(pom): pom for pom in sorted(SERVER_DIR.glob("pom*.xml"))}
    if version not in poms:
        raise IgniteNodeError(
            f"no packaged pom pins Apache Ignite {version!r}; the versions are "
            f"{', '.join(sorted(poms))}"
        )
    return poms[version]


def _cache_root(cache_dir: str | os.PathLike[str] | None) -> Path:
    if cache_dir is not None:
        return Path(cache_dir).expanduser()
    env = os.environ.get(ENV_CACHE_DIR)
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "ignite-tf"


def ignite_libs_dir(
    cache_dir: str | os.PathLike[str] | None = None, *, pom: str | os.PathLike[str] | None = None
) -> Path:
    """Return the directory where the server jars are (or would be) cached.

    That is ``<cache root>/ignite-<version>/libs`` where the cache root is
    ``cache_dir``, else ``$IGNITE_TF_CACHE_DIR``, else ``~/.cache/ignite-tf``,
    and the version is ``pom``'s (default: the packaged ``pom.xml``).
    ``$IGNITE_TF_IGNITE_LIBS`` is not considered here.
    """
    return _cache_root(cache_dir) / f"ignite-{ignite_version(pom)}" / "libs"


def _jars_in(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.jar") if p.is_file())


def _pom_digest(pom: Path) -> str:
    return hashlib.sha256(pom.read_bytes()).hexdigest()


def _stamp_matches(stamp: Path, digest: str) -> bool:
    try:
        return stamp.read_text().strip() == digest
    except OSError:
        return False


def resolve_ignite_classpath(
    cache_dir: str | os.PathLike[str] | None = None,
    *,
    quiet: bool = False,
    pom: str | os.PathLike[str] | None = None,
) -> list[Path]:
    """Return the jars a node needs, downloading them with Maven on first use.

    Order of precedence:

    1. ``$IGNITE_TF_IGNITE_LIBS``: a directory of jars, used as is (only for the
       packaged ``pom.xml``: it names jars of that version).
    2. The cache, :func:`ignite_libs_dir` (``cache_dir`` argument, else
       ``$IGNITE_TF_CACHE_DIR``, else ``~/.cache/ignite-tf``).  It is reused
       while the pom is unchanged.
    3. Otherwise ``mvn dependency:copy-dependencies`` on the packaged pom
       fills a temporary directory next to the cache, which is then renamed
       into place (atomic; concurrent resolvers are harmless).

    Args:
        cache_dir: cache root overriding the environment and the default.
        quiet: do not print the progress line to stderr.
        pom: the pom listing the jars (default: the packaged ``pom.xml``; e.g.
            :data:`LEGACY_IGFS_POM_PATH` for Ignite 2.8.1).

    Returns:
        Absolute paths of the jars, sorted by name.

    Raises:
        IgniteNodeError: ``mvn`` is missing or fails, or the libs directory
            holds no jars.
    """
    pom_path = Path(pom) if pom is not None else POM_PATH
    env_libs = os.environ.get(ENV_IGNITE_LIBS) if pom_path == POM_PATH else None
    if env_libs:
        libs = Path(env_libs).expanduser().resolve()
        jars = _jars_in(libs) if libs.is_dir() else []
        if not jars:
            raise IgniteNodeError(f"{ENV_IGNITE_LIBS}={env_libs!r} is not a directory of jars")
        return jars

    libs = ignite_libs_dir(cache_dir, pom=pom_path).resolve()
    digest = _pom_digest(pom_path)
    stamp = libs / _POM_HASH_FILE
    if _stamp_matches(stamp, digest):
        jars = _jars_in(libs)
        if jars:
            return jars

    mvn = shutil.which("mvn")
    if mvn is None:
        instead = f", or set {ENV_IGNITE_LIBS} to a directory holding those jars" * (
            pom_path == POM_PATH
        )
        raise IgniteNodeError(
            "Maven ('mvn') is not on PATH; it is needed once to download the Apache "
            f"Ignite {ignite_version(pom_path)} server jars listed in {pom_path}. Install "
            f"Maven{instead}."
        )
    version = ignite_version(pom_path)
    if not quiet:
        print(
            f"ignite-tf: resolving Apache Ignite {version} server jars with Maven into {libs} ...",
            file=sys.stderr,
            flush=True,
        )
    libs.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".libs-", dir=libs.parent))
    started = time.monotonic()
    try:
        out = staging / "libs"
        cmd = [
            mvn,
            "-q",
            "-B",
            "-f",
            str(pom_path),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={out}",
        ]
        proc = subprocess.run(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            check=False,
        )
        jars = _jars_in(out) if out.is_dir() else []
        if proc.returncode != 0 or not jars:
            raise IgniteNodeError(
                f"Maven failed to resolve the Ignite server jars (exit code {proc.returncode}):\n"
                f"  {shlex.join(cmd)}\n{_tail_text(proc.stdout, 40)}"
            )
        (out / _POM_HASH_FILE).write_text(digest + "\n")
        if not _stamp_matches(stamp, digest):  # else another process just did it
            if libs.exists():  # stale (the pom changed) or incomplete
                with contextlib.suppress(OSError):
                    os.rename(libs, staging / "old")
            try:
                os.rename(out, libs)
            except OSError:
                # Another process won the race; use its result if complete.
                if not _stamp_matches(stamp, digest):
                    raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    jars = _jars_in(libs)
    if not quiet:
        print(
            f"ignite-tf: resolved {len(jars)} jars in {time.monotonic() - started:.1f} s",
            file=sys.stderr,
            flush=True,
        )
    return jars
