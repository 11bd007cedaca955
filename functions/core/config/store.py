"""Apply a validated config to Firestore idempotently, and load it back (cached).

Each entity is its own document (so a diff can create / update / delete exactly what
changed), and a snapshot document holds the whole file so the hot path loads the config
with one read, refreshed at most every CONFIG_CACHE_SECONDS.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from core import clients
from core.config.schema import ContactCenterConfig
from core.config.view import CenterView
from core.settings import settings

ENTITY_COLLECTIONS = (
    "cc_center",
    "cc_hours",
    "cc_languages",
    "cc_queues",
    "cc_roles",
    "cc_teams",
    "cc_users",
)
META_COLLECTION = "cc_meta"
SNAPSHOT_DOC = "snapshot"


def canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def config_hash(cfg: ContactCenterConfig) -> str:
    return hashlib.sha256(canonical_json(cfg.model_dump(mode="json")).encode()).hexdigest()


def to_documents(cfg: ContactCenterConfig) -> dict[str, dict[str, dict[str, Any]]]:
    """Flatten the config into {collection: {doc id: fields}}."""
    data = cfg.model_dump(mode="json")
    docs: dict[str, dict[str, dict[str, Any]]] = {c: {} for c in ENTITY_COLLECTIONS}
    docs["cc_center"]["center"] = data["center"] | {"version": data["version"]}
    for key, coll in (
        ("hours", "cc_hours"),
        ("languages", "cc_languages"),
        ("roles", "cc_roles"),
        ("teams", "cc_teams"),
        ("users", "cc_users"),
    ):
        docs[coll] = {k: v for k, v in data[key].items()}
    order = 0
    for _, q, parent in cfg.walk_queues():
        fields = q.model_dump(mode="json", exclude={"children"})
        fields["parent"] = parent.id if parent else None
        fields["order"] = order
        order += 1
        docs["cc_queues"][q.id] = fields
    return docs


@dataclass
class ApplyReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: int = 0
    hash: str = ""

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "deleted": self.deleted,
            "unchanged": self.unchanged,
            "hash": self.hash,
            "changed": self.changed,
        }


def apply(cfg: ContactCenterConfig, *, dry_run: bool = False) -> ApplyReport:
    """Make Firestore equal to `cfg`. Applying the same file twice writes nothing."""
    db = clients.firestore()
    desired = to_documents(cfg)
    report = ApplyReport(hash=config_hash(cfg))
    writes: list[tuple[str, Any, dict[str, Any] | None]] = []
    for coll, wanted in desired.items():
        existing = {d.id: d.to_dict() for d in db.collection(coll).stream()}
        for doc_id, fields in wanted.items():
            key = f"{coll}/{doc_id}"
            if doc_id not in existing:
                report.created.append(key)
            elif canonical_json(existing[doc_id]) != canonical_json(fields):
                report.updated.append(key)
            else:
                report.unchanged += 1
                continue
            writes.append((key, db.collection(coll).document(doc_id), fields))
        for doc_id in existing.keys() - wanted.keys():
            report.deleted.append(f"{coll}/{doc_id}")
            writes.append((f"{coll}/{doc_id}", db.collection(coll).document(doc_id), None))
    snap_ref = db.collection(META_COLLECTION).document(SNAPSHOT_DOC)
    snap = snap_ref.get()
    if not snap.exists or snap.get("hash") != report.hash:
        writes.append(
            (
                "snapshot",
                snap_ref,
                {
                    "hash": report.hash,
                    "config": canonical_json(cfg.model_dump(mode="json")),
                    "applied_at": time.time(),
                },
            )
        )
    if dry_run:
        return report
    # Entities first, snapshot last: a reader never sees a snapshot ahead of its entities.
    for start in range(0, len(writes), 400):
        batch = db.batch()
        for _, ref, fields in writes[start : start + 400]:
            if fields is None:
                batch.delete(ref)
            else:
                batch.set(ref, fields)
        batch.commit()
    invalidate()
    return report


def load_config() -> tuple[ContactCenterConfig, str]:
    snap = clients.firestore().collection(META_COLLECTION).document(SNAPSHOT_DOC).get()
    if not snap.exists:
        raise LookupError("no contact-center config applied yet (run the config CLI)")
    data = snap.to_dict()
    return ContactCenterConfig.model_validate_json(data["config"]), data["hash"]


_cache_lock = threading.Lock()
_cached: tuple[float, CenterView] | None = None


def get_view() -> CenterView:
    """The current config, re-read at most every CONFIG_CACHE_SECONDS."""
    global _cached
    now = time.monotonic()
    cached = _cached
    if cached and now - cached[0] < settings().config_cache_seconds:
        return cached[1]
    with _cache_lock:
        if _cached and now - _cached[0] < settings().config_cache_seconds:
            return _cached[1]
        if _cached:
            # Cheap check: only rebuild when the applied hash moved.
            snap = (
                clients.firestore()
                .collection(META_COLLECTION)
                .document(SNAPSHOT_DOC)
                .get(field_paths=["hash"])
            )
            if snap.exists and snap.get("hash") == _cached[1].version:
                _cached = (now, _cached[1])
                return _cached[1]
        cfg, version = load_config()
        _cached = (now, CenterView(cfg, version))
        return _cached[1]


def invalidate() -> None:
    global _cached
    _cached = None
