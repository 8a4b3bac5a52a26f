"""Java for the nodes: finding ``java``, its version, and a node's command line.

Environment: ``JAVA_HOME`` (the JDK that runs the nodes) and ``IGNITE_TF_JVM_OPTS``
(JVM options appended to every node's command line);
all of the launcher's variables are described in :mod:`ignite_tf.node`.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from ignite_tf.node.errors import IgniteNodeError
from ignite_tf.node.maven import _jars_in

ENV_JVM_OPTS = "IGNITE_TF_JVM_OPTS"

MAIN_CLASS = "org.apache.ignite.startup.cmdline.CommandLineStartup"

DEFAULT_HEAP_OPTIONS: tuple[str, ...] = ("-Xms256m", "-Xmx1g")

# Exactly the packages Ignite's own launcher (bin/include/jvmdefaults.sh)
# opens on Java 15+.
_ADD_OPENS_PACKAGES: tuple[str, ...] = (
    "java.base/jdk.internal.access",
    "java.base/jdk.internal.misc",
    "java.base/sun.nio.ch",
    "java.base/sun.util.calendar",
    "java.management/com.sun.jmx.mbeanserver",
    "jdk.internal.jvmstat/sun.jvmstat.monitor",
    "java.base/sun.reflect.generics.reflectiveObjects",
    "jdk.management/com.sun.management.internal",
    "java.base/java.io",
    "java.base/java.nio",
    "java.base/java.net",
    "java.base/java.util",
    "java.base/java.util.concurrent",
    "java.base/java.util.concurrent.locks",
    "java.base/java.util.concurrent.atomic",
    "java.base/java.lang",
    "java.base/java.lang.invoke",
    "java.base/java.math",
    "java.sql/java.sql",
    "java.base/java.lang.reflect",
    "java.base/java.time",
    "java.base/java.text",
    "java.management/sun.management",
    "java.desktop/java.awt.font",
)

# THE PLACE FOR A JVM FLAG EVERY NODE GETS. They follow the --add-opens list and the heap options
# and come before the caller's ``jvm_options`` and ``$IGNITE_TF_JVM_OPTS`` (so those can override
# them); node_command() below lays out the whole command line.
DEFAULT_JVM_OPTIONS: tuple[str, ...] = (
    "-Djava.net.preferIPv4Stack=true",
    "-DIGNITE_UPDATE_NOTIFIER=false",
    "-DIGNITE_PERFORMANCE_SUGGESTIONS_DISABLED=true",
)


def find_java(java: str | os.PathLike[str] | None = None) -> Path:
    """Locate the ``java`` executable.

    Args:
        java: an explicit executable; else ``$JAVA_HOME/bin/java``; else
            ``java`` on ``PATH``.

    Raises:
        IgniteNodeError: nothing usable was found.
    """
    if java is not None:
        found = shutil.which(str(java))
        if found is None:
            raise IgniteNodeError(f"java executable {str(java)!r} not found")
        return Path(found)
    java_home = os.environ.get("JAVA_HOME")
    if java_home:
        candidate = Path(java_home) / "bin" / "java"
        if os.access(candidate, os.X_OK):
            return candidate
        raise IgniteNodeError(f"JAVA_HOME={java_home!r} has no executable bin/java")
    found = shutil.which("java")
    if found is None:
        raise IgniteNodeError(
            "no Java runtime: set JAVA_HOME or put 'java' (JDK 11 or 17) on PATH "
            "to run Apache Ignite nodes"
        )
    return Path(found)


_java_major_cache: dict[str, int] = {}


def _java_major_version(java: Path) -> int:
    key = str(java)
    if key not in _java_major_cache:
        try:
            proc = subprocess.run(
                [key, "-version"],
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                errors="replace",
                timeout=60,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise IgniteNodeError(f"cannot run {key} -version: {exc}") from exc
        match = re.search(r'version "(\d+)(?:\.(\d+))?', proc.stderr + proc.stdout)
        if match is None:
            raise IgniteNodeError(f"cannot parse the output of {key} -version:\n{proc.stderr}")
        major = int(match.group(1))
        if major == 1 and match.group(2):  # "1.8.0_392"
            major = int(match.group(2))
        _java_major_cache[key] = major
    return _java_major_cache[key]


def jvm_add_opens(java_major: int) -> list[str]:
    """Return the ``--add-opens`` options Ignite needs on this Java version.

    Empty for Java 8; Ignite's own Java 15+ list otherwise.
    """
    if java_major < 9:
        return []
    return [f"--add-opens={pkg}=ALL-UNNAMED" for pkg in _ADD_OPENS_PACKAGES]


def _classpath_arg(jars: Sequence[Path]) -> str:
    """``-cp`` value: ``<dir>/*`` when the jars are exactly one directory's."""
    parents = {j.parent for j in jars}
    if len(parents) == 1:
        (parent,) = parents
        if set(_jars_in(parent)) == set(jars):
            return str(parent / "*")
    return os.pathsep.join(str(j) for j in jars)


def node_command(
    java: Path,
    jars: Sequence[Path],
    config: Path,
    *,
    heap_options: Sequence[str] = DEFAULT_HEAP_OPTIONS,
    jvm_options: Sequence[str] = (),
) -> list[str]:
    """The command line that runs one node on the Spring XML ``config``.

    In this order: ``java``; the ``--add-opens`` options this Java version
    needs (:func:`jvm_add_opens`); ``heap_options``; :data:`DEFAULT_JVM_OPTIONS`;
    ``jvm_options``; ``$IGNITE_TF_JVM_OPTS``; ``-cp`` with ``jars``; Ignite's
    command-line main class and ``config``.  Later JVM options override
    earlier ones.
    """
    extra = shlex.split(os.environ.get(ENV_JVM_OPTS, ""))
    return [
        str(java),
        *jvm_add_opens(_java_major_version(java)),
        *heap_options,
        *DEFAULT_JVM_OPTIONS,
        *jvm_options,
        *extra,
        "-cp",
        _classpath_arg(jars),
        MAIN_CLASS,
        str(config),
    ]
