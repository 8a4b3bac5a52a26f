"""Schemas given instead of learned: for empty caches, or to fix the element structure.

A schema is a pair of trees ``(key, val)``; a tree is a dict ``{field: tree}`` for an object or
an Ignite type name (``"long"``, ``"string"``, ``"byte[]"``, ``"uuid"``, ``"timestamp"``...).

>>> IgniteDataset("EMPTY_CACHE", schema={"key": "long", "val": {"NAME": "string"}})

An object's raw data section (what a ``Binarylizable`` class writes through ``rawWriter()``) is
the field ``"$raw"``: ``{"val": {"id": "int", "$raw": "byte[]"}}`` reads it as bytes.

Tables made with ``CREATE TABLE`` need none: their columns come from the server's ``SYS`` views.

SQL queries take the same type names per result column, for columns whose values cannot tell
(NULL throughout, or an empty result):

>>> SqlDataset("SELECT ID, NOTE FROM T", column_types={"ID": "long", "NOTE": "string"})
"""

from __future__ import annotations

from typing import Any

from ignite_tf.errors import CacheNotFoundError, IgniteSchemaError

__all__ = [
    "TYPE_CODES",
    "column_type_codes",
    "normalize_schema",
    "schema_from_element_spec",
    "sql_table_schema",
]

# Ignite type names (GridBinaryMarshaller) to type codes.
TYPE_CODES: dict[str, int] = {
    "byte": 1,
    "short": 2,
    "int": 3,
    "long": 4,
    "float": 5,
    "double": 6,
    "char": 7,
    "bool": 8,
    "string": 9,
    "uuid": 10,
    "date": 11,
    "byte[]": 12,
    "short[]": 13,
    "int[]": 14,
    "long[]": 15,
    "float[]": 16,
    "double[]": 17,
    "char[]": 18,
    "bool[]": 19,
    "string[]": 20,
    "uuid[]": 21,
    "date[]": 22,
    "decimal": 30,
    "decimal[]": 31,
    "timestamp": 33,
    "timestamp[]": 34,
    "time": 36,
    "time[]": 37,
    "enum": 38,
    "enum[]": 29,
}
_ALIASES = {"boolean": "bool", "integer": "int", "str": "string", "varchar": "string"}

# SQL column classes (SYS.TABLE_COLUMNS.TYPE) to Ignite type names.
_JAVA_CLASSES = {
    "java.lang.Byte": "byte",
    "java.lang.Short": "short",
    "java.lang.Integer": "int",
    "java.lang.Long": "long",
    "java.lang.Float": "float",
    "java.lang.Double": "double",
    "java.lang.Character": "char",
    "java.lang.Boolean": "bool",
    "java.lang.String": "string",
    "java.util.UUID": "uuid",
    "java.util.Date": "date",
    "java.sql.Date": "date",
    "java.time.LocalDate": "date",
    "java.sql.Timestamp": "timestamp",
    "java.time.LocalDateTime": "timestamp",
    "java.sql.Time": "time",
    "java.time.LocalTime": "time",
    "java.math.BigDecimal": "decimal",
    "[B": "byte[]",
}

# TensorFlow dtype names (and shapes) to Ignite type names, for element_spec schemas.
_TF_DTYPES = {
    "uint8": "byte",
    "int16": "short",
    "int32": "int",
    "int64": "long",
    "float32": "float",
    "float64": "double",
    "uint16": "char",
    "bool": "bool",
    "string": "string",
}


def _code(name: Any, path: str) -> int:
    if isinstance(name, int):
        return name
    key = str(name).strip().lower()
    key = _ALIASES.get(key, key)
    if key not in TYPE_CODES:
        raise IgniteSchemaError(
            f"unknown Ignite type {name!r} for {path}; use one of: {', '.join(TYPE_CODES)}"
        )
    return TYPE_CODES[key]


def _tree(tree: Any, path: str) -> Any:
    if isinstance(tree, dict):
        return {str(k): _tree(v, f"{path}.{k}") for k, v in tree.items()}
    return _code(tree, path)


def normalize_schema(schema: Any) -> tuple[Any, Any]:
    """``{"key": ..., "val": ...}`` or ``(key, val)`` with type names -> trees of type codes."""
    if isinstance(schema, dict) and set(schema) == {"key", "val"}:
        key, val = schema["key"], schema["val"]
    elif isinstance(schema, (tuple, list)) and len(schema) == 2:
        key, val = schema
    else:
        raise IgniteSchemaError('a schema is {"key": tree, "val": tree} or a (key, val) pair')
    return _tree(key, "key"), _tree(val, "val")


def column_type_codes(column_types: Any) -> dict[str, int]:
    """SQL ``column_types`` (``{"SCORE": "double", "NOTE": "string"}``) -> type codes by name."""
    if not isinstance(column_types, dict):
        raise IgniteSchemaError(
            'column_types is a dict of Ignite type names by column, e.g. {"SCORE": "double"}'
        )
    return {str(k): _code(v, f"column {k}") for k, v in column_types.items()}


def schema_from_element_spec(spec: Any) -> tuple[Any, Any]:
    """A schema from a ``{'key': ..., 'val': ...}`` structure of ``tf.TensorSpec`` objects."""

    def convert(node: Any, path: str) -> Any:
        if isinstance(node, dict):
            return {k: convert(v, f"{path}.{k}") for k, v in node.items()}
        dtype = getattr(getattr(node, "dtype", None), "name", None)
        if dtype not in _TF_DTYPES:
            raise IgniteSchemaError(f"{path}: no Ignite type for {node!r}")
        name = _TF_DTYPES[dtype]
        rank = len(node.shape) if node.shape.rank is not None else None
        if rank == 0:
            return TYPE_CODES[name]
        if rank == 1:
            return TYPE_CODES[name + "[]"]
        raise IgniteSchemaError(f"{path}: only scalars and 1-D arrays map to Ignite types")

    return normalize_schema(
        {"key": convert(spec["key"], "key"), "val": convert(spec["val"], "val")}
    )


def sql_table_schema(client: Any, cache_name: str) -> tuple[Any, Any] | None:
    """The schema of the table a ``CREATE TABLE`` made in ``cache_name``, from the SYS views;
    None when the cache holds no SQL table."""
    tables = client.sql(
        "SELECT SCHEMA_NAME, TABLE_NAME, KEY_TYPE_NAME FROM SYS.TABLES WHERE CACHE_NAME = ?",
        [cache_name],
        schema="SYS",
    ).rows
    if not tables:
        return None
    if len(tables) > 1:
        raise IgniteSchemaError(f"cache '{cache_name}' holds several tables; pass a schema")
    schema_name, table_name, key_type = tables[0]
    columns = client.sql(
        "SELECT COLUMN_NAME, TYPE, PK FROM SYS.TABLE_COLUMNS "
        "WHERE SCHEMA_NAME = ? AND TABLE_NAME = ? AND COLUMN_NAME NOT IN ('_KEY', '_VAL')",
        [schema_name, table_name],
        schema="SYS",
    ).rows
    key: dict[str, int] = {}
    val: dict[str, int] = {}
    for name, java_class, is_pk in columns:
        type_name = _JAVA_CLASSES.get(java_class)
        if type_name is None:
            raise IgniteSchemaError(
                f"column {table_name}.{name} has SQL type {java_class}, which has no column "
                "mapping yet; pass a schema"
            )
        (key if is_pk else val)[name] = TYPE_CODES[type_name]
    if not key:
        raise CacheNotFoundError(f"table {table_name} in cache '{cache_name}' has no key columns")
    # A single-column primary key is stored as the plain value; a composite one as an object.
    key_tree: Any = next(iter(key.values())) if len(key) == 1 and key_type in _JAVA_CLASSES else key
    return key_tree, val
