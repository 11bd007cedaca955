"""One walk up the queue tree (CenterView.inherited / layers) for every inherited setting:
the same answers as the hand-written walks it replaced, for every queue of a config that
overrides at several depths, memoized per view (per config version)."""

from __future__ import annotations

import copy
from typing import Any

import yaml

from core.config.loader import parse
from core.config.view import CenterView
from core.decisions import policy
from tests.helpers.common import DEMO_CONFIG


def _view() -> CenterView:
    data: dict[str, Any] = yaml.safe_load(DEMO_CONFIG.read_text())
    data = copy.deepcopy(data)
    # Overrides on a parent and on a leaf, so nearest-wins is tested at two depths.
    top = data["queues"][0]
    top.setdefault("deflection", {})["sms"] = {"enabled": True, "text": "Parent text"}
    top["redirection"] = top.get("redirection") or None
    leaf = top
    while leaf.get("children"):
        leaf = leaf["children"][-1]
    leaf.setdefault("deflection", {})["voice"] = {"enabled": False}
    return CenterView(parse(data), "v1")


def _reference_nearest(view: CenterView, qid: str, get: Any) -> tuple[Any, str] | None:
    """The walk as the capabilities wrote it by hand: queue, ancestors, nearest wins."""
    node = view.queue(qid)
    while node is not None:
        value = get(node.cfg)
        if value is not None:
            return value, f"queue:{node.id}"
        node = view.queue(node.parent) if node.parent else None
    return None


def test_nearest_level_wins_like_the_hand_written_walks() -> None:
    view = _view()

    def voice(q: Any) -> Any:
        return q.deflection.voice if q.deflection else None

    def sms(q: Any) -> Any:
        return q.deflection.sms if q.deflection else None

    def mobile(q: Any) -> Any:
        return q.deflection.mobile if q.deflection else None

    checked = 0
    for qid in view.queues:
        ref = _reference_nearest(view, qid, voice) or (view.center.deflection.voice, "center")
        assert policy.ivr(view, qid) == ref
        ref = _reference_nearest(view, qid, sms) or (view.center.deflection.sms, "center")
        assert policy.sms(view, qid) == ref
        assert policy.mobile(view, qid) == (
            _reference_nearest(view, qid, mobile) or (None, "center")
        )
        sc = _reference_nearest(view, qid, lambda q: q.scheduled_calls)
        assert policy.scheduled_calls(view, qid) == (sc[0] if sc else policy.ScheduledCalls())
        red = _reference_nearest(view, qid, lambda q: q.redirection)
        found = view.inherited(qid, "redirection", center=False)
        assert (found[0] if found else None) == (red[0] if red else None)
        ch = _reference_nearest(view, qid, lambda q: q.channels or None)
        assert view.channels(qid) == (list(ch[0]) if ch else [])
        checked += 1
    assert checked == len(view.queues) > 3
    # The overrides really are found at their depth.
    sources = {policy.ivr(view, q)[1] for q in view.queues}
    assert "center" in sources and any(s.startswith("queue:") for s in sources)
    texts = {policy.sms_text(view, q) for q in view.queues}
    assert "Parent text" in texts


def test_layers_are_root_first_and_skip_unset_levels() -> None:
    view = _view()
    leaf = next(q for q in view.queues if view.queue(q).is_leaf and view.queue(q).parent)
    lineage = [f"queue:{n.id}" for n in view.lineage(leaf)]
    where = [w for w, _ in view.layers(leaf, "deflection", center=False)]
    assert where == [w for w in lineage if w in where]  # root first, in lineage order
    assert view.layers(leaf, "deflection.voice")[0][0] == "center"
    assert view.layers("no-such-queue", "deflection.voice", center=False) == []
    assert view.inherited("no-such-queue", "redirection", center=False) is None


def test_walk_is_memoized_per_view() -> None:
    view = _view()
    qid = next(iter(view.queues))
    first = view.inherited(qid, "deflection.voice")
    assert view.inherited(qid, "deflection.voice") is first
    assert _view().inherited(qid, "deflection.voice") is not first  # a new version, anew
