"""Concurrent settings saves (issue #14, item 5): two editors saving at the same moment
never lose each other's change. Different queues: both kept. The same queue on the same
read: one wins, the other is refused with 412 and the current version."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from tests.helpers.notifications import PUBLIC

ROUNDS = 6


def _race(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls at the same instant (a barrier releases them together)."""
    barrier = threading.Barrier(len(calls))
    out: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        out[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return out


def _patcher(client: Any, auth: Any, qid: str, body: dict, headers: dict | None = None) -> Any:
    return lambda: client.patch(
        f"/notifications/queues/{qid}/settings",
        data=json.dumps(body),
        content_type="application/json",
        headers=auth("ada") | (headers or {}),
    )


def _whisper_text(qid: str) -> str | None:
    from core.config.store import load_config

    cfg, _ = load_config()
    for _, q, _ in cfg.walk_queues():
        if q.id == qid:
            calls = q.notifications and q.notifications.calls
            return calls.whisper.text if calls and calls.whisper else None
    raise AssertionError(qid)


def test_concurrent_patches_of_different_queues_keep_both(suite, tree, app_client, auth) -> None:
    a, b = app_client("notifications_http", PUBLIC), app_client("notifications_http", PUBLIC)
    lost = []
    for i in range(ROUNDS):
        sales = {"calls": {"whisper": {"type": "tts", "text": f"sales {i}"}}}
        dsl = {"calls": {"whisper": {"type": "tts", "text": f"dsl {i}"}}}
        ra, rb = _race([_patcher(a, auth, "sales", sales), _patcher(b, auth, "dsl", dsl)])
        assert ra.status_code == 200 and rb.status_code == 200, (ra.get_json(), rb.get_json())
        lost += [q for q in ("sales", "dsl") if _whisper_text(q) != f"{q} {i}"]
    assert lost == [], f"{len(lost)} of {2 * ROUNDS} saved changes are gone: {lost}"


def test_concurrent_patches_of_the_same_queue_conflict_openly(
    suite, tree, app_client, auth
) -> None:
    from core.config.store import load_config

    a, b = app_client("notifications_http", PUBLIC), app_client("notifications_http", PUBLIC)
    for i in range(ROUNDS):
        version = load_config()[1]
        match = {"If-Match": f'"{version}"'}
        bodies = [{"calls": {"whisper": {"type": "tts", "text": f"{who} {i}"}}} for who in "ab"]
        ra, rb = _race(
            [
                _patcher(a, auth, "sales", bodies[0], match),
                _patcher(b, auth, "sales", bodies[1], match),
            ]
        )
        codes = sorted([ra.status_code, rb.status_code])
        assert codes == [200, 412], (ra.get_json(), rb.get_json())
        winner, loser = (ra, rb) if ra.status_code == 200 else (rb, ra)
        assert _whisper_text("sales") == winner.get_json()["settings"]["calls"]["whisper"]["text"]
        # The refusal says which version is current, so the editor can reload.
        assert loser.headers["ETag"] == winner.headers["ETag"] == f'"{load_config()[1]}"'
        assert loser.get_json()["error"]["field"] == "If-Match"


def test_concurrent_patches_of_one_queue_without_if_match_merge(
    suite, tree, app_client, auth
) -> None:
    a, b = app_client("notifications_http", PUBLIC), app_client("notifications_http", PUBLIC)
    from core.config.store import load_config

    for i in range(ROUNDS):
        ra, rb = _race(
            [
                _patcher(a, auth, "fiber", {"calls": {"whisper": {"speed": 1.0 + i / 10}}}),
                _patcher(b, auth, "fiber", {"calls": {"countdown": {"seconds": 1 + i}}}),
            ]
        )
        assert ra.status_code == 200 and rb.status_code == 200
        cfg, _ = load_config()
        fiber = next(q for _, q, _ in cfg.walk_queues() if q.id == "fiber")
        assert fiber.notifications.calls.whisper.speed == 1.0 + i / 10
        assert fiber.notifications.calls.countdown.seconds == 1 + i
