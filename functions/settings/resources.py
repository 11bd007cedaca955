"""The resources of the Settings API and where each lives in the config file.

A resource is a part of the config (as the JSON the file holds): the center details, its
hours selection, its deflection, a named schedule, a language, a queue (its own fields,
not its sub-queues), a team, a user, a custom role. Each knows how to read itself out of
the whole config, write itself back, and its place in the file (for error paths).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from core.routes import resolve
from settings.fields import CENTER_FIELDS, QUEUE_KEPT

if TYPE_CHECKING:  # pragma: no cover - the models load with the first request that needs one
    from pydantic import BaseModel


def clean(value: Any) -> Any:
    """The JSON without nulls (null means "not set" everywhere in the config)."""
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [clean(v) for v in value]
    return value


def etag(value: Any) -> str:
    from core.config.store import canonical_json

    return hashlib.sha256(canonical_json(value).encode()).hexdigest()[:32]


def walk(
    queues: list[dict[str, Any]], loc: tuple = ("queues",), parent: str | None = None
) -> Iterator:
    """(location, queue dict, parent id, sibling list) depth first, as the file holds them."""
    for i, q in enumerate(queues):
        yield (*loc, i), q, parent, queues
        yield from walk(q.get("children") or [], (*loc, i, "children"), q["id"])


def find_queue(data: dict[str, Any], qid: str) -> tuple[tuple, dict[str, Any], str | None, list]:
    for loc, q, parent, siblings in walk(data["queues"]):
        if q["id"] == qid:
            return loc, q, parent, siblings
    raise KeyError(qid)


# Plain slotted classes rather than dataclasses: the router declares these at import,
# and generating a dataclass's methods costs a new instance about half a millisecond each.
class Kind:
    """One kind of resource. `key` is the id in the URL (None for singletons)."""

    __slots__ = ("name", "model_ref", "center_wide")

    def __init__(self, name: str, model_ref: str, *, center_wide: bool = True) -> None:
        self.name = name  # URL segment, e.g. "hours"
        self.model_ref = model_ref  # "package.module:Model" of what a PUT body must be
        self.center_wide = center_wide  # False: scoped to a queue (team-scoped editors may edit)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"

    @property
    def model(self) -> type[BaseModel]:
        model: type[BaseModel] = resolve(self.model_ref)
        return model

    def get(self, data: dict[str, Any], key: str | None) -> dict[str, Any] | None:
        raise NotImplementedError

    def put(self, data: dict[str, Any], key: str | None, value: dict[str, Any] | None) -> None:
        raise NotImplementedError

    def loc(self, data: dict[str, Any], key: str | None) -> str:
        raise NotImplementedError

    def keys(self, data: dict[str, Any]) -> list[str]:
        return []

    def resource(self, key: str | None) -> str:
        return f"{self.name}/{key}" if key is not None else self.name


class Section(Kind):
    """A mapping at a fixed place (`center.deflection`), or some fields of one (`fields`)."""

    __slots__ = ("where", "fields")

    def __init__(
        self, name: str, model_ref: str, *, where: tuple[str, ...], fields: tuple[str, ...] = ()
    ) -> None:
        super().__init__(name, model_ref)
        self.where = where
        self.fields = fields

    def _holder(self, data: dict[str, Any]) -> dict[str, Any]:
        out = data
        for part in self.where[:-1] if not self.fields else self.where:
            out = out[part]
        return out

    def get(self, data: dict[str, Any], key: str | None) -> dict[str, Any] | None:
        holder = self._holder(data)
        if self.fields:
            return clean({f: holder.get(f) for f in self.fields})
        return clean(holder.get(self.where[-1]) or {})

    def put(self, data: dict[str, Any], key: str | None, value: dict[str, Any] | None) -> None:
        holder = self._holder(data)
        if self.fields:
            for f in self.fields:  # a field left out takes its default again
                holder.pop(f, None)
            holder.update(value or {})
        else:
            holder[self.where[-1]] = value

    def loc(self, data: dict[str, Any], key: str | None) -> str:
        return ".".join(self.where)


class Named(Kind):
    """One entry of a mapping by id (`hours.business`, `users.ada`)."""

    __slots__ = ("collection",)

    def __init__(self, name: str, model_ref: str, *, collection: str) -> None:
        super().__init__(name, model_ref)
        self.collection = collection

    def get(self, data: dict[str, Any], key: str | None) -> dict[str, Any] | None:
        value = data[self.collection].get(key)
        return None if value is None else clean(value)

    def put(self, data: dict[str, Any], key: str | None, value: dict[str, Any] | None) -> None:
        if value is None:
            data[self.collection].pop(key, None)
        else:
            data[self.collection][key] = value

    def loc(self, data: dict[str, Any], key: str | None) -> str:
        return f"{self.collection}.{key}"

    def keys(self, data: dict[str, Any]) -> list[str]:
        return list(data[self.collection])


class QueueKind(Kind):
    """A queue's own settings, wherever it sits in the tree."""

    def get(self, data: dict[str, Any], key: str | None) -> dict[str, Any] | None:
        try:
            _, q, _, _ = find_queue(data, str(key))
        except KeyError:
            return None
        from settings.models import QUEUE_OWN

        return clean({f: q.get(f) for f in QUEUE_OWN})

    def put(self, data: dict[str, Any], key: str | None, value: dict[str, Any] | None) -> None:
        _, q, _, siblings = find_queue(data, str(key))
        if value is None:
            siblings.remove(q)
            return
        kept = {k: q[k] for k in QUEUE_KEPT if k in q}
        q.clear()
        q.update(kept | value)

    def loc(self, data: dict[str, Any], key: str | None) -> str:
        from core.config.loader import format_loc

        try:
            return format_loc(find_queue(data, str(key))[0])
        except KeyError:
            return "queues"

    def keys(self, data: dict[str, Any]) -> list[str]:
        return [q["id"] for _, q, _, _ in walk(data["queues"])]


# The models are named, not imported: the router declares these at import, and a new
# instance should not build the config schema before a request needs it.
CENTER = Section("center", "settings.models:CenterDetails", where=("center",), fields=CENTER_FIELDS)
CENTER_HOURS = Section(
    "center/hours", "core.config.schema.hours:HoursSelection", where=("center", "hours")
)
DEFLECTION = Section(
    "deflection", "core.config.schema.deflection:CenterDeflection", where=("center", "deflection")
)
HOURS = Named("hours", "core.config.schema.hours:HoursSpec", collection="hours")
LANGUAGES = Named("languages", "core.config.schema.messages:LanguageConfig", collection="languages")
TEAMS = Named("teams", "core.config.schema.people:Team", collection="teams")
USERS = Named("users", "core.config.schema.people:User", collection="users")
ROLES = Named("roles", "core.config.schema.people:Role", collection="roles")
QUEUES = QueueKind("queues", "settings.models:QueueSettings", center_wide=False)
