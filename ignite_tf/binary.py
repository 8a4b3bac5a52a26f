"""Ignite binary objects as plain Python values."""

from __future__ import annotations

from typing import Any

__all__ = ["BinaryEnum", "BinaryObject"]


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


class BinaryEnum:
    """A constant of an Ignite enum type: type name, ordinal and (when known) its name.

    >>> client.put("CARS", 1, BinaryObject("Car", {"color": BinaryEnum("Color", 2, "BLUE")}))

    Writing registers the constant's name with the type. Reading fills ``name`` from the
    server's metadata (empty when the type has none).
    """

    __slots__ = ("type_name", "ordinal", "name", "type_id")

    def __init__(self, type_name: str, ordinal: int, name: str = "", type_id: int = 0) -> None:
        self.type_name = type_name
        self.ordinal = int(ordinal)
        self.name = name
        self.type_id = type_id

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BinaryEnum):
            return NotImplemented
        same_type = (
            self.type_name == other.type_name
            if self.type_name and other.type_name
            else self.type_id == other.type_id
        )
        return same_type and self.ordinal == other.ordinal

    def __hash__(self) -> int:
        return hash((self.type_name, self.ordinal))

    def __repr__(self) -> str:
        return f"BinaryEnum({self.type_name!r}, {self.ordinal}, {self.name!r})"
