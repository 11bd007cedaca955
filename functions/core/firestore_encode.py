"""Document creates, flag updates and conditional replacements for the hottest write
paths, encoded straight into protobuf.

The Firestore client encodes every field through proto-plus wrappers: about 0.65 ms of CPU
for a new session and its outbox event, as much as the IVR webhook's own handling, and
the batch writer shares the instance's CPU with the webhooks. Building the same `Write`
with the protobuf classes the client itself marshals to takes about 0.18 ms. Every
session change (core/sessions/store.py) replaces the whole document, which the client
encodes at several ms of CPU per change.

Only plain JSON-like values (None, bool, int, float, str, dict, list) and aware datetimes
are encoded here; a document with anything else (sentinels, references, bytes) goes
through the client's own `create` / `update`, so the result is always what the
`WriteBatch` methods would send.
`tests/core/test_firestore_encode.py` checks that byte for byte.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from google.cloud.firestore_v1.types import common, document, write
from google.protobuf import timestamp_pb2

_Value = document.Value.pb()
_Map = document.MapValue.pb()
_Array = document.ArrayValue.pb()
_Document = document.Document.pb()
_Write = write.Write.pb()
_Precondition = common.Precondition.pb()
_Mask = common.DocumentMask.pb()
_INT64 = range(-(2**63), 2**63)
_SIMPLE_FIELD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # a field path needing no quotes


class _NotPlain(Exception):
    """A value this module leaves to the client's encoder."""


def _value(v: Any) -> Any:
    if v is None:
        return _Value(null_value=0)
    if v is True or v is False:
        return _Value(boolean_value=v)
    t = type(v)
    if t is str:
        return _Value(string_value=v)
    if t is float:
        return _Value(double_value=v)
    if t is int and v in _INT64:
        return _Value(integer_value=v)
    if t is dict:
        return _Value(map_value=_Map(fields=_fields(v)))
    if t is list or t is tuple:
        return _Value(array_value=_Array(values=[_value(x) for x in v]))
    if t is datetime.datetime and v.tzinfo is not None:
        ts = timestamp_pb2.Timestamp()
        ts.FromDatetime(v)
        return _Value(timestamp_value=ts)
    raise _NotPlain


def _fields(d: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in d.items():
        if type(k) is not str:
            raise _NotPlain
        out[k] = _value(v)
    return out


def create_write(ref: Any, data: dict[str, Any]) -> Any | None:
    """The `Write` that creates `ref` with `data` (fails if it exists), or None when the
    data holds something other than plain values."""
    try:
        fields = _fields(data)
    except _NotPlain:
        return None
    pb = _Write(
        update=_Document(name=ref._document_path, fields=fields),
        current_document=_Precondition(exists=False),
    )
    return write.Write.wrap(pb)


def add_create(batch: Any, ref: Any, data: dict[str, Any]) -> None:
    """`batch.create(ref, data)`, encoded here when the data is plain."""
    w = create_write(ref, data)
    if w is None:
        batch.create(ref, data)
    else:
        # The batch's own list of pending writes, the one `create` appends to.
        batch._add_write_pbs([w])


def add_updates(batch: Any, refs: list[Any], data: dict[str, Any]) -> None:
    """`batch.update(ref, data)` for each ref (each must exist), with `data`'s top-level
    fields encoded once for all of them when they are plain."""
    try:
        if not all(_SIMPLE_FIELD.fullmatch(k) for k in data):
            raise _NotPlain
        fields = _fields(data)
    except _NotPlain:
        for ref in refs:
            batch.update(ref, data)
        return
    mask = _Mask(field_paths=sorted(data))  # sorted, as the client sends it
    batch._add_write_pbs(
        [
            write.Write.wrap(
                _Write(
                    update=_Document(name=ref._document_path, fields=fields),
                    update_mask=mask,
                    current_document=_Precondition(exists=True),
                )
            )
            for ref in refs
        ]
    )


def add_replace(
    batch: Any, ref: Any, doc: dict[str, Any], gone: list[str], last_update_time: Any
) -> None:
    """`batch.update(ref, fields, option=write_option(last_update_time=...))` where
    `fields` names every top-level field of `doc` with its value and every field of `gone`
    with DELETE_FIELD: the document becomes `doc`, if it is still the version read at
    `last_update_time` (a DatetimeWithNanoseconds, as snapshots carry it)."""
    from google.cloud.firestore_v1.field_path import FieldPath

    try:
        fields = _fields(doc)
    except _NotPlain:
        fields = None
    if fields is None or not hasattr(last_update_time, "timestamp_pb"):
        from google.cloud.firestore_v1 import DELETE_FIELD

        plain = {FieldPath(k).to_api_repr(): v for k, v in doc.items()}
        plain |= {FieldPath(k).to_api_repr(): DELETE_FIELD for k in gone}
        option = batch._client.write_option(last_update_time=last_update_time)
        batch.update(ref, plain, option=option)
        return
    # The mask lists every path, set or deleted, in the client's order (by field name).
    mask = _Mask(field_paths=[FieldPath(k).to_api_repr() for k in sorted([*doc, *gone])])
    pb = _Write(
        update=_Document(name=ref._document_path, fields=fields),
        update_mask=mask,
        current_document=_Precondition(update_time=last_update_time.timestamp_pb()),
    )
    batch._add_write_pbs([write.Write.wrap(pb)])
