"""The multipart "Insert or Update Blob Data" body: an entity_* JSON part and a VersionData
part, streamed (the binary goes straight to disk, never into memory)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import request
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData

from emulators.standins.common import CHUNK, BlobWriter, StoredBlob, drain_request_body
from emulators.standins.salesforce_standin.wire import ENTITY_PART_LIMIT


class MultipartProblem(ValueError):
    """The multipart body is not the Insert-Blob shape."""


def read_blob_multipart(
    boundary: str, writer_factory: Callable[[], BlobWriter]
) -> tuple[dict[str, Any], StoredBlob, str | None]:
    """Stream an entity_* JSON part + a VersionData part; the binary goes straight to disk."""
    decoder = MultipartDecoder(boundary.encode("latin-1"))
    entity_buf: bytearray | None = None
    entity: dict[str, Any] | None = None
    writer: BlobWriter | None = None
    blob: StoredBlob | None = None
    filename: str | None = None
    current: str | None = None
    stream = request.stream
    done = False
    try:
        while not done:
            chunk = stream.read(CHUNK)
            decoder.receive_data(chunk if chunk else None)
            while True:
                event = decoder.next_event()
                if isinstance(event, NeedData):
                    break
                if isinstance(event, Epilogue):
                    done = True
                    break
                if isinstance(event, Field | File):
                    name = event.name or ""
                    if name.startswith("entity_"):
                        current, entity_buf = "entity", bytearray()
                    elif name == "VersionData":
                        current, writer = "blob", writer_factory()
                        filename = event.filename if isinstance(event, File) else None
                    else:
                        current = "ignore"
                elif isinstance(event, Data):
                    if current == "entity" and entity_buf is not None:
                        entity_buf += event.data
                        if len(entity_buf) > ENTITY_PART_LIMIT:
                            raise MultipartProblem("entity part too large")
                        if not event.more_data:
                            entity = json.loads(bytes(entity_buf))
                    elif current == "blob" and writer is not None:
                        writer.write(event.data)
                        if not event.more_data:
                            blob = writer.finish()
                            writer = None
            if not chunk:
                done = True
    except (ValueError, UnicodeDecodeError) as exc:
        if writer is not None:
            writer.abort()
        drain_request_body()
        if isinstance(exc, MultipartProblem):
            raise
        raise MultipartProblem(f"malformed multipart body: {exc}") from exc
    if writer is not None:
        writer.abort()
        raise MultipartProblem("VersionData part is truncated")
    if not isinstance(entity, dict):
        raise MultipartProblem("missing entity_content JSON part")
    if blob is None:
        raise MultipartProblem("missing VersionData part")
    return entity, blob, filename
