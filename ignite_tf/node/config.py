"""Node configurations: Spring XML templates with ``@NAME@`` placeholders, and their values.

A node runs on a Spring XML ``IgniteConfiguration`` rendered from a template by plain string
substitution of ``@NAME@`` placeholders (outside XML comments). The packaged template is
``ignite_tf/server/ignite-node.xml``; tests keep their own (``tests/server/*.xml``) and fill
extra placeholders through ``IgniteNode(substitutions=...)``.

The built-in placeholders every template may use are the ones :func:`node_placeholders` fills;
a new one is added there (and listed in the packaged template's header comment).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from xml.sax.saxutils import escape as _xml_escape

from ignite_tf.node.errors import IgniteNodeError
from ignite_tf.node.maven import SERVER_DIR

DEFAULT_CONFIG_TEMPLATE = SERVER_DIR / "ignite-node.xml"
# Ignite 2.8.1 serving IGFS over TCP (ignite_tf.node.legacy_igfs.LegacyIgfsNode).
LEGACY_IGFS_CONFIG_TEMPLATE = SERVER_DIR / "ignite-2.8.1-igfs.xml"

DEFAULT_REGION_MAX_SIZE = 512 * 1024 * 1024
# The default data region starts at this size, or at its maximum if that is smaller.
_REGION_INITIAL_SIZE = 256 * 1024 * 1024

_COMMENT_RE = re.compile(r"<!--.*?-->", re.DOTALL)
_PLACEHOLDER_RE = re.compile(r"@[A-Z][A-Z0-9_]*@")


def _xml_attribute(text: str) -> str:
    """``text`` escaped for a double-quoted XML attribute value."""
    return _xml_escape(text, {'"': "&quot;"})


def node_placeholders(
    *,
    instance_name: str,
    work_dir: str | os.PathLike[str],
    client_port: int,
    discovery_ports: tuple[int, int],
    communication_port: int,
    region_max_size: int,
    substitutions: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The ``@NAME@ -> text`` table a node's template is rendered with.

    This is the one place for a built-in placeholder: add its line here (and to the comment at
    the top of ``ignite_tf/server/ignite-node.xml``). ``substitutions`` (``@NAME@`` keys, e.g.
    from :func:`_placeholder`) are added last, so they may override built-in ones.

    Returns:
        The table, longest keys first, so that e.g. ``@DISCOVERY_PORT_END@`` is replaced
        before a placeholder that happens to be its prefix.
    """
    first, last = discovery_ports
    values = {
        "@INSTANCE_NAME@": _xml_attribute(instance_name),
        "@WORK_DIR@": _xml_attribute(str(work_dir)),
        "@CLIENT_PORT@": str(client_port),
        "@DISCOVERY_PORT@": str(first),
        "@DISCOVERY_PORT_END@": str(last),
        "@DISCOVERY_PORT_RANGE@": str(last - first + 1),
        "@COMMUNICATION_PORT@": str(communication_port),
        "@REGION_INITIAL_SIZE@": str(min(_REGION_INITIAL_SIZE, region_max_size)),
        "@REGION_MAX_SIZE@": str(region_max_size),
    }
    values.update(substitutions or {})
    return dict(sorted(values.items(), key=lambda kv: -len(kv[0])))


def _render_template(text: str, values: Mapping[str, str]) -> str:
    """Substitute ``@NAME@`` placeholders outside XML comments."""
    parts = re.split(r"(<!--.*?-->)", text, flags=re.DOTALL)
    for i in range(0, len(parts), 2):  # even indices are outside comments
        part = parts[i]
        for key, value in values.items():
            part = part.replace(key, value)
        parts[i] = part
    rendered = "".join(parts)
    left = sorted(set(_PLACEHOLDER_RE.findall(_COMMENT_RE.sub("", rendered))))
    if left:
        raise IgniteNodeError(
            f"unfilled placeholders in the node config template: {', '.join(left)}"
        )
    return rendered


def _placeholder(key: str) -> str:
    key = key.strip("@")
    if not re.fullmatch(r"[A-Z][A-Z0-9_]*", key):
        raise ValueError(f"placeholder names are upper case identifiers, got {key!r}")
    return f"@{key}@"
