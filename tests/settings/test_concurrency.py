"""Concurrent edits through the Settings API: different queues keep both changes; the same
queue on the same ETag conflicts openly (one 200, one 412 naming the current ETag)."""

from __future__ import annotations

from tests.helpers.settings import PUBLIC, Api
from tests.notifications.test_settings_concurrency import ROUNDS, _race


def test_different_queues_keep_both_and_the_same_queue_conflicts(
    suite, demo, app_client, portal_token
) -> None:
    from core.config.store import get_view

    a = Api(app_client("settings_http", PUBLIC), portal_token)
    b = Api(app_client("settings_http", PUBLIC), portal_token)

    def patch(api: Api, qid: str, body: dict, etag: str):  # noqa: ANN202
        return lambda: api.write("PATCH", f"/settings/queues/{qid}", body, etag)

    for i in range(ROUNDS):
        ea = a.ok("/settings/queues/billing-refunds")["etag"]
        eb = b.ok("/settings/queues/support-internet")["etag"]
        ra, rb = _race(
            [
                patch(a, "billing-refunds", {"name": f"Refunds {i}"}, ea),
                patch(b, "support-internet", {"name": f"Internet {i}"}, eb),
            ]
        )
        assert (ra.status_code, rb.status_code) == (200, 200), (ra.get_json(), rb.get_json())
        view = get_view()
        assert view.queue("billing-refunds").cfg.name == f"Refunds {i}"
        assert view.queue("support-internet").cfg.name == f"Internet {i}"

        etag = a.ok("/settings/queues/sales-general")["etag"]
        ra, rb = _race(
            [
                patch(a, "sales-general", {"name": f"A {i}"}, etag),
                patch(b, "sales-general", {"name": f"B {i}"}, etag),
            ]
        )
        assert sorted([ra.status_code, rb.status_code]) == [200, 412]
        won, lost = (ra, rb) if ra.status_code == 200 else (rb, ra)
        assert lost.headers["ETag"] == won.headers["ETag"]
        assert get_view().queue("sales-general").cfg.name == won.get_json()["data"]["name"]
