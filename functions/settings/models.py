"""The request models of the Settings API that are parts of a config model (the center's
details, a queue's own settings, a new queue), built from the config schema."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, create_model

from core.config.schema.common import Ident, Strict
from core.config.schema.queues import Queue
from core.config.schema.root import Center
from settings.fields import CENTER_FIELDS, QUEUE_KEPT

# A queue's own settings: its sub-queues are resources of their own, and its notification
# overrides are edited through the notifications API (which checks the tone library).
QUEUE_OWN = tuple(f for f in Queue.model_fields if f not in QUEUE_KEPT)


def _subset(name: str, model: type[BaseModel], fields: tuple[str, ...], doc: str) -> Any:
    defs = {f: (model.model_fields[f].annotation, model.model_fields[f]) for f in fields}
    # The fields are picked at run time, which create_model's overloads cannot type.
    out = create_model(name, __base__=Strict, **defs)  # type: ignore[call-overload]
    out.__doc__ = doc
    return out


CenterDetails = _subset(
    "CenterDetails", Center, CENTER_FIELDS, "Support center details (name, zone, email, language)."
)
QueueSettings = _subset(
    "QueueSettings", Queue, QUEUE_OWN, "A queue's own settings (not its sub-queues)."
)
NewQueue = create_model(
    "NewQueue",
    __base__=QueueSettings,
    id=(Ident, ...),
    parent=(str | None, None),
)
NewQueue.__doc__ = "A queue to create: its id, its parent (none: top level) and its settings."
