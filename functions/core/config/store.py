"""Apply a validated config to Firestore idempotently, and load it back (cached).

Each entity is its own document (so a diff can create / update / delete exactly what
changed), and a snapshot document holds the whole file and its version (content hash and
revision) so the hot path loads the config with one read, refreshed at most every
CONFIG_CACHE_SECONDS. Every write (the CLI, the settings API, notification settings) goes
through `transact`: one Firestore transaction that reads the version it changes.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core import clients
from core.caches import on_reset
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
SNAPSHOT_DOC = "snapshot"  # the whole config and its version (hash, revision)
AUDIT_COLLECTION = "settings_audit"


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
    previous: str = ""  # the version the change was made on ("" when nothing was applied)
    revision: int = 0  # counts the applied changes; a no-op keeps it

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


class VersionConflict(Exception):
    """The config moved on since the caller read it (a precondition failed)."""

    def __init__(self, current: str, message: str = "the configuration changed") -> None:
        super().__init__(message)
        self.current = current


@dataclass
class Change:
    """What `transact` hands back: the config before and after, and what was written."""

    before: ContactCenterConfig | None
    after: ContactCenterConfig
    report: ApplyReport
    detail: Any = None  # whatever the change function returned besides the config


# Firestore refuses a transaction with more than 500 writes.
MAX_WRITES = 500
MAX_AUDIT_CHARS = 500_000
Mutator = Callable[
    [ContactCenterConfig | None, str], "ContactCenterConfig | tuple[ContactCenterConfig, Any]"
]


def transact(
    change: Mutator,
    *,
    dry_run: bool = False,
    audit: Callable[[Change], dict[str, Any] | None] | None = None,
) -> Change:
    """The one write path of the config: read the applied version, let `change` build
    the new config from it, and write the entity diff, the snapshot and an audit entry in
    one Firestore transaction whose reads include the snapshot (the version document).

    Two writers racing on the same version cannot both commit: Firestore aborts one, the
    transaction runs `change` again on the winner's config, and the loser's change is
    either merged (its patch applies cleanly) or refused by `change` itself (it raises,
    e.g. a failed If-Match), never silently overwritten. Nothing is written when `change`
    raises. Applying an unchanged config writes nothing.
    """
    from google.cloud import firestore

    db = clients.firestore()
    snap_ref = db.collection(META_COLLECTION).document(SNAPSHOT_DOC)

    @firestore.transactional
    def run(tx: Any) -> Change:
        snap = snap_ref.get(transaction=tx)
        data = snap.to_dict() if snap.exists else None
        before = ContactCenterConfig.model_validate_json(data["config"]) if data else None
        version = data["hash"] if data else ""
        out = change(before, version)
        after, detail = out if isinstance(out, tuple) else (out, None)
        report = ApplyReport(
            hash=config_hash(after),
            previous=version,
            revision=int((data or {}).get("revision", 0)),
        )
        desired = to_documents(after)
        # Entity documents change only together with the snapshot, so reading them outside
        # the transaction is safe (a concurrent change also moves the snapshot, which this
        # transaction read, and Firestore then retries it); it keeps the lock set to one
        # document, so concurrent editors do not deadlock on the whole config.
        writes: list[tuple[Any, dict[str, Any] | None]] = []
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
                writes.append((db.collection(coll).document(doc_id), fields))
            for doc_id in sorted(existing.keys() - wanted.keys()):
                report.deleted.append(f"{coll}/{doc_id}")
                writes.append((db.collection(coll).document(doc_id), None))
        result = Change(before, after, report, detail)
        entities = len(writes)
        if data is None or version != report.hash:
            report.revision += 1
            writes.append(
                (
                    snap_ref,
                    {
                        "hash": report.hash,
                        "config": canonical_json(after.model_dump(mode="json")),
                        "applied_at": time.time(),
                        "revision": report.revision,
                    },
                )
            )
        entry = audit(result) if audit and writes else None
        if entry is not None:
            writes.append((db.collection(AUDIT_COLLECTION).document(), entry))
        deferred.clear()  # this attempt decides afresh (Firestore may run it again)
        if len(writes) > MAX_WRITES:
            # Firestore takes at most 500 writes per transaction. The snapshot (what every
            # reader loads) and the audit entry commit here, on the version precondition;
            # the per-entity mirror follows in batches right after (the next apply repairs
            # it should this instance die in between).
            deferred.extend(writes[:entities])
            writes = writes[entities:]
        if dry_run:
            return result
        for ref, doc in writes:
            if doc is None:
                tx.delete(ref)
            else:
                tx.set(ref, doc)
        return result

    # Enough attempts for a burst of concurrent editors; each retry re-reads the version.
    deferred: list[tuple[Any, dict[str, Any] | None]] = []
    result = run(db.transaction(max_attempts=20))
    if not dry_run:
        for start in range(0, len(deferred), 400):
            batch = db.batch()
            for ref, fields in deferred[start : start + 400]:
                if fields is None:
                    batch.delete(ref)
                else:
                    batch.set(ref, fields)
            batch.commit()
        invalidate()
    return result


def apply(
    cfg: ContactCenterConfig,
    *,
    dry_run: bool = False,
    expected_version: str | None = None,
    actor: dict[str, Any] | None = None,
) -> ApplyReport:
    """Make Firestore equal to `cfg`. Applying the same file twice writes nothing.

    `expected_version`: refuse (VersionConflict) unless the applied config is still that
    version, checked inside the transaction.
    """

    def change(_: ContactCenterConfig | None, version: str) -> ContactCenterConfig:
        if expected_version is not None and version != expected_version:
            raise VersionConflict(version)
        return cfg

    def entry(ch: Change) -> dict[str, Any]:
        return audit_entry(
            actor or {"type": "cli"},
            "config",
            "apply",
            ch.before.model_dump(mode="json") if ch.before else None,
            ch.after.model_dump(mode="json"),
            ch.report,
        )

    return transact(change, dry_run=dry_run, audit=entry).report


def audit_entry(
    actor: dict[str, Any],
    resource: str,
    action: str,
    before: Any,
    after: Any,
    report: ApplyReport,
) -> dict[str, Any]:
    """One settings audit record: who, when, which resource, and the diff before -> after."""
    changes = diff(before, after)
    if len(canonical_json(changes)) > MAX_AUDIT_CHARS:  # a document holds at most 1 MiB
        changes = [{"path": c["path"], "before": None, "after": None} for c in changes]
    return {
        "at": time.time(),
        "actor": actor,
        "resource": resource,
        "action": action,
        "changes": changes,
        "version_before": report.previous,
        "version_after": report.hash,
        "revision": report.revision,
    }


def diff(before: Any, after: Any, path: str = "") -> list[dict[str, Any]]:
    """Leaf-level differences as [{path, before, after}] (lists compare whole, or by
    position when both hold mappings of the same length, e.g. the queue tree)."""
    if before == after:
        return []
    if isinstance(before, dict) and isinstance(after, dict):
        out: list[dict[str, Any]] = []
        for key in sorted(set(before) | set(after), key=str):
            here = f"{path}.{key}" if path else str(key)
            out += diff(before.get(key), after.get(key), here)
        return out
    if (
        isinstance(before, list)
        and isinstance(after, list)
        and len(before) == len(after)
        and all(isinstance(x, dict) for x in before + after)
    ):
        return [
            c
            for i, (b, a) in enumerate(zip(before, after, strict=True))
            for c in diff(b, a, f"{path}[{i}]")
        ]
    # Firestore stores no nested arrays: keep values as canonical JSON text.
    return [
        {
            "path": path or "(root)",
            "before": None if before is None else canonical_json(before),
            "after": None if after is None else canonical_json(after),
        }
    ]


def load_config() -> tuple[ContactCenterConfig, str]:
    snap = clients.firestore().collection(META_COLLECTION).document(SNAPSHOT_DOC).get()
    if not snap.exists:
        raise LookupError("no contact-center config applied yet (run the config CLI)")
    data = snap.to_dict() or {}
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


@on_reset
def invalidate() -> None:
    global _cached
    _cached = None
