"""The launcher's one exception, and the log excerpt its messages end with."""

from __future__ import annotations


class IgniteNodeError(RuntimeError):
    """A node could not be set up, started or reached.

    Raised for missing tools (``java``, ``mvn``), failed jar resolution, bad
    templates and nodes that exit or do not answer during :meth:`IgniteNode.start`;
    in the last case the message ends with the tail of the node log.
    """


def _tail_text(text: str, lines: int) -> str:
    """The last ``lines`` lines of ``text`` (a tool's output, quoted in an error)."""
    return "\n".join(text.splitlines()[-lines:])
