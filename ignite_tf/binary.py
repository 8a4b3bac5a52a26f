"""Ignite binary objects as plain Python values."""

from __future__ import annotations

from typing import Any

__all__ = ["BinaryObject"]


class BinaryObject:
    """An Ignite binary object: a type name and named fields.

    Field values may be int (long), float (double), str, bytes (byte[]), bool, datetime (date),
    NumPy scalars and 1-D arrays (their exact Ignite type), lists of str (string[]), None, or
    nested BinaryObjects.

    >>> meta = BinaryObject("ImageMetadata", {"file_name": "cat.png", "label": np.int32(3)})
    >>> client.put("IMAGES", 1, BinaryObject("Image", {"metadata": meta, "pixels": pixels}))
    """

    __slots__ = ("type_name", "fields")

    def __init__(self, type_name: str, fields: dict[str, Any] | None = None) -> None:
        self.type_name = type_name
        self.fields: dict[str, Any] = dict(fields or {})

    def __getitem__(self, name: str) -> Any:
        return self.fields[name]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BinaryObject):
            return NotImplemented
        if self.type_name != other.type_name or self.fields.keys() != other.fields.keys():
            return False
        for name, value in self.fields.items():
            theirs = other.fields[name]
            if hasattr(value, "shape") or hasattr(theirs, "shape"):
                import numpy as np

                if not np.array_equal(value, theirs):
                    return False
            elif value != theirs:
                return False
        return True

    def __repr__(self) -> str:
        return f"BinaryObject({self.type_name!r}, {self.fields!r})"
