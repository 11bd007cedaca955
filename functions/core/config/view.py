"""Runtime view of the applied config: queue tree navigation and inheritance."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core.config.merge import deep_merge
from core.config.schema import ContactCenterConfig
from core.config.schema.hours import HoursSelection, HoursSpec
from core.config.schema.messages import LanguageConfig
from core.config.schema.people import Role
from core.config.schema.queues import Queue


@dataclass
class QueueNode:
    id: str
    cfg: Queue
    parent: str | None
    children: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)  # menu path, root first

    @property
    def path(self) -> str:
        return " > ".join(self.names)

    @property
    def is_leaf(self) -> bool:
        return not self.children


def _lang_key(language: str | None, keys: dict[str, str], prefix: str = "") -> str | None:
    """The key for a caller's language: exact, then case-insensitive ("es-us"), then the
    same base language ("es" or "es-MX" finds "es-US") when exactly one key has it."""
    if not language or not keys:
        return None
    if prefix + language in keys:
        return prefix + language
    wanted = language.lower()
    cands = [k for k in keys if k.startswith(prefix)]
    for k in cands:
        if k[len(prefix) :].lower() == wanted:
            return k
    base = wanted.split("-")[0]
    same = [k for k in cands if k[len(prefix) :].lower().split("-")[0] == base]
    return same[0] if len(same) == 1 else None


def _at(obj: Any, path: str | Callable[[Any], Any]) -> Any:
    if callable(path):
        return path(obj)
    for name in path.split("."):
        if obj is None:
            return None
        obj = getattr(obj, name, None)
    return obj


def _is_set(value: Any) -> bool:
    return value is not None and value != "" and value != [] and value != {}


class CenterView:
    """Read-only helpers over one validated config; built once per load and cached."""

    def __init__(self, cfg: ContactCenterConfig, version: str = "") -> None:
        self.cfg = cfg
        self.version = version
        self.center = cfg.center
        self.hours: dict[str, HoursSpec] = dict(cfg.hours)
        self.languages: dict[str, LanguageConfig] = dict(cfg.languages)
        self.roles: dict[str, Role] = cfg.all_roles()
        self.queues: dict[str, QueueNode] = {}
        for _, q, parent in cfg.walk_queues():
            pid = parent.id if parent else None
            names = [*(self.queues[pid].names if pid else []), q.name]
            self.queues[q.id] = QueueNode(q.id, q, pid, [c.id for c in q.children], names)
        self._team_queue_cache: dict[frozenset[str], frozenset[str]] = {}
        self._hours_id_cache: dict[tuple[str | None, str, str | None], tuple[str, str]] = {}
        self._users_by_email: dict[str, str] | None = None
        self._inherited: dict[tuple[str | None, str, bool], tuple[Any, str] | None] = {}

    # -- tree ---------------------------------------------------------------
    def queue(self, qid: str) -> QueueNode | None:
        return self.queues.get(qid)

    def lineage(self, qid: str) -> list[QueueNode]:
        """Root first, the queue itself last."""
        out: list[QueueNode] = []
        node = self.queues.get(qid)
        while node is not None:
            out.append(node)
            node = self.queues.get(node.parent) if node.parent else None
        return list(reversed(out))

    def descendants(self, qid: str) -> list[str]:
        out, stack = [], [qid]
        while stack:
            cur = stack.pop()
            out.append(cur)
            stack.extend(self.queues[cur].children)
        return out

    def top_level(self, qid: str) -> str:
        return self.lineage(qid)[0].id

    def channels(self, qid: str) -> list[str]:
        hit = self.inherited(qid, "channels", center=False)
        return list(hit[0]) if hit else []

    def find_by_path(self, path: str) -> QueueNode | None:
        wanted = [p.strip().lower() for p in path.split(">")]
        for node in self.queues.values():
            if [n.lower() for n in node.names] == wanted:
                return node
        return None

    # -- hours ----------------------------------------------------------------
    def hours_id(self, qid: str | None, channel: str, language: str | None) -> tuple[str, str]:
        """The schedule id that governs (queue, channel, language) and where it came from.

        Most specific wins at each level (channel+language, channel, language, default),
        walking from the queue up to the contact center. Memoized: the hot path asks it
        on every call and the view is immutable.
        """
        key = (qid, channel, language)
        hit = self._hours_id_cache.get(key)
        if hit is not None:
            return hit
        found = self._hours_id(qid, channel, language)
        if len(self._hours_id_cache) < 10000:  # bounded: language is caller input
            self._hours_id_cache[key] = found
        return found

    def _hours_id(self, qid: str | None, channel: str, language: str | None) -> tuple[str, str]:
        levels: list[tuple[str, HoursSelection]] = self.layers(qid, "hours")
        for where, sel in reversed(levels):  # nearest first
            ck = _lang_key(language, sel.channel_languages, prefix=f"{channel}:")
            if ck is not None:
                return sel.channel_languages[ck], f"{where}.channel_languages.{ck}"
            if channel in sel.channels:
                return sel.channels[channel], f"{where}.channels.{channel}"
            lk = _lang_key(language, sel.languages)
            if lk is not None:
                return sel.languages[lk], f"{where}.languages.{lk}"
            if sel.default:
                return sel.default, f"{where}.default"
        raise LookupError("no hours configured")  # validation makes this unreachable

    def timezone_of(self, hours_id: str) -> str:
        return self.hours[hours_id].timezone or self.center.timezone

    # -- inheritance -------------------------------------------------------
    # Every setting a queue inherits is read through these two: `inherited` (the nearest
    # level that sets it wins, a queue's override is a whole object) and `layers` (every
    # level, root first, for settings merged field by field). A path names the attribute
    # chain on a queue's config and on the center's, e.g. "deflection.voice".

    def layers(
        self, qid: str | None, path: str | Callable[[Any], Any], *, center: bool = True
    ) -> list[tuple[str, Any]]:
        """(where, value) of every level that sets `path`: the contact center's first (when
        `center`), then each queue from the root down to `qid` itself. `where` is "center"
        or "queue:<id>"; a level sets a path when its value is not None and not empty.
        `path` may be a function of a level's config instead (the center's or a queue's)."""
        out: list[tuple[str, Any]] = []
        if center and _is_set(v := _at(self.center, path)):
            out.append(("center", v))
        for node in self.lineage(qid) if qid else []:
            if _is_set(v := _at(node.cfg, path)):
                out.append((f"queue:{node.id}", v))
        return out

    def inherited(
        self, qid: str | None, path: str, *, center: bool = True
    ) -> tuple[Any, str] | None:
        """(value, where) of the nearest level that sets `path`: the queue, then its
        ancestors, then (when `center`) the contact center; None when no level does.
        Memoized: the view is immutable and replaced when the config version changes, so
        the hot path pays one dict lookup."""
        key = (qid, path, center)
        try:
            return self._inherited[key]
        except KeyError:
            pass
        levels = self.layers(qid, path, center=center)
        found = (levels[-1][1], levels[-1][0]) if levels else None
        if len(self._inherited) < 10000:  # bounded: a queue id may be caller input
            self._inherited[key] = found
        return found

    def effective(
        self, qid: str | None, path: str | Callable[[Any], Any], base: dict[str, Any]
    ) -> dict[str, Any]:
        """Deep-merge every queue level's `path` (root to queue) onto `base`."""
        out = dict(base)
        for _, part in self.layers(qid, path, center=False):
            out = deep_merge(out, part.model_dump(exclude_none=True))
        return out

    def language(self, code: str | None) -> LanguageConfig:
        if code and code in self.languages:
            return self.languages[code]
        if code:  # "es" matches "es-US"
            for k, v in self.languages.items():
                if k.split("-")[0].lower() == code.split("-")[0].lower():
                    return v
        return self.languages.get(self.center.default_language, LanguageConfig())

    # -- people -----------------------------------------------------------
    def team_queues(self, team_ids: frozenset[str]) -> frozenset[str]:
        """Queues a set of teams covers, sub-queues included."""
        if team_ids not in self._team_queue_cache:
            qs: set[str] = set()
            for t in team_ids:
                team = self.cfg.teams.get(t)
                for qid in team.queues if team else []:
                    qs.update(self.descendants(qid))
            self._team_queue_cache[team_ids] = frozenset(qs)
        return self._team_queue_cache[team_ids]

    def user_by_email(self, email: str) -> str | None:
        """The id of the user with this email (case-insensitive; unique by validation)."""
        if self._users_by_email is None:
            self._users_by_email = {
                u.email.lower(): uid for uid, u in self.cfg.users.items() if u.email
            }
        return self._users_by_email.get(email.lower())

    def agents_of_queue(self, qid: str) -> list[str]:
        """Active users in a team that covers the queue (directly or through a parent)."""
        ids = []
        for uid, user in self.cfg.users.items():
            if (
                user.active
                and user.kind == "person"  # automation is never an agent
                and qid in self.team_queues(frozenset(user.teams))
            ):
                ids.append(uid)
        return ids
