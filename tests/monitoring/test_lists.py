"""Live lists: scope by team, filters, search, paging, actions, bad input."""

from __future__ import annotations

import time

import pytest

from tests.helpers.monitoring import sid


@pytest.fixture
def floor(put_session) -> dict[str, dict]:
    """A small contact-center floor: calls and chats in several queues and states."""
    now = time.time()
    s = {
        "c_bill_old": put_session(
            queue_id="billing-refunds",
            agent_id="alex",
            created_at=now - 3600,
            end_user={
                "id": "+14155550111",
                "name": "Kim Lee",
                "email": None,
                "phone": "+14155550111",
                "anonymous": False,
            },
            carrier={"call_sid": "x", "conference_sid": sid("CF")},
        ),
        "c_bill_q": put_session(queue_id="billing-payments", status="queued", created_at=now - 600),
        "c_sup": put_session(queue_id="support-internet", agent_id="bea", created_at=now - 1800),
        "c_sales_new": put_session(queue_id="sales-general", agent_id="bea", created_at=now - 30),
        "c_ended": put_session(queue_id="billing-refunds", status="ended", created_at=now - 7200),
        "h_bill_web": put_session(
            channel="web", queue_id="billing-refunds", agent_id="alex", created_at=now - 1200
        ),
        "h_sup_sms": put_session(
            channel="sms", queue_id="support-mobile", status="queued", created_at=now - 300
        ),
    }
    return s


def ids(resp) -> list[str]:
    assert resp.status_code == 200, resp.get_json()
    return [row["id"] for row in resp.get_json()["items"]]


def test_lists_are_live_only_scoped_and_sorted_by_age(mon, auth, floor) -> None:
    f = floor
    assert ids(mon.get("/calls", headers=auth("ada"))) == [
        f["c_bill_old"]["id"],
        f["c_sup"]["id"],
        f["c_bill_q"]["id"],
        f["c_sales_new"]["id"],
    ]
    assert ids(mon.get("/chats", headers=auth("ada"))) == [
        f["h_bill_web"]["id"],
        f["h_sup_sms"]["id"],
    ]
    assert ids(mon.get("/calls", headers=auth("mona"))) == [
        f["c_bill_old"]["id"],
        f["c_bill_q"]["id"],
    ]
    assert ids(mon.get("/calls", headers=auth("sam"))) == [f["c_sup"]["id"]]
    assert ids(mon.get("/chats", headers=auth("quinn"))) == []
    rows = mon.get("/calls", headers=auth("ada")).get_json()["items"]
    assert all(a["age_seconds"] >= b["age_seconds"] for a, b in zip(rows, rows[1:], strict=False))


def test_filters(mon, auth, floor) -> None:
    f = floor
    get = lambda q, who="ada": ids(mon.get(f"/calls?{q}", headers=auth(who)))  # noqa: E731
    assert get("status=queued") == [f["c_bill_q"]["id"]]
    assert get("status=connected&queue=billing") == [f["c_bill_old"]["id"]]
    assert get("queue=billing") == [f["c_bill_old"]["id"], f["c_bill_q"]["id"]]
    assert get("agent=bea") == [f["c_sup"]["id"], f["c_sales_new"]["id"]]
    assert get("team=support-team") == [f["c_sup"]["id"]]
    assert get("team=support-team", who="mona") == []  # a filter never widens the scope
    assert get("older_than_minutes=20") == [f["c_bill_old"]["id"], f["c_sup"]["id"]]
    assert get("channel=voice&older_than_minutes=5&agent=alex") == [f["c_bill_old"]["id"]]
    assert ids(mon.get("/chats?channel=sms", headers=auth("ada"))) == [f["h_sup_sms"]["id"]]
    assert ids(mon.get("/chats?channel=web&team=billing-team", headers=auth("mona"))) == [
        f["h_bill_web"]["id"]
    ]


def test_search(mon, auth, floor) -> None:
    f = floor
    get = lambda q, who="ada": ids(mon.get(f"/calls?q={q}", headers=auth(who)))  # noqa: E731
    assert get(f["c_sup"]["id"]) == [f["c_sup"]["id"]]  # session id
    assert get(f["c_sup"]["id"], who="mona") == []  # out of scope stays invisible
    assert get("Kim Lee") == [f["c_bill_old"]["id"]]  # end-user name
    assert get("%2B14155550111") == [f["c_bill_old"]["id"]]  # end-user phone
    assert get("bea") == [f["c_sup"]["id"], f["c_sales_new"]["id"]]  # agent name
    assert get("payments") == [f["c_bill_q"]["id"]]  # queue menu path
    assert get("billing") == [f["c_bill_old"]["id"], f["c_bill_q"]["id"]]
    assert get("nobody-at-all") == []
    assert ids(mon.get("/calls?q=bea&agent=bea&status=connected", headers=auth("ada"))) == [
        f["c_sup"]["id"],
        f["c_sales_new"]["id"],
    ]


def test_cursor_paging_walks_everything_once(mon, auth, put_session) -> None:
    base = time.time() - 5000
    made = [put_session(queue_id="billing-refunds", created_at=base + i)["id"] for i in range(7)]
    made += [
        put_session(queue_id="billing-payments", created_at=base + 3, status="queued")["id"]
    ]  # a tie on the sort key
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        url = "/calls?limit=3" + (f"&cursor={cursor}" if cursor else "")
        body = mon.get(url, headers=auth("mona")).get_json()
        seen += [r["id"] for r in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(made) and len(seen) == len(set(seen))


def test_rows_carry_the_callers_actions(mon, auth, floor) -> None:
    row = lambda who, kind="calls": {  # noqa: E731
        r["id"]: r for r in mon.get(f"/{kind}", headers=auth(who)).get_json()["items"]
    }
    f = floor
    assert row("sam")[f["c_sup"]["id"]]["actions"] == ["details"]  # no conference, no end
    # No agent leg is recorded on this call: nothing to coach, but an admin may barge.
    assert row("ada")[f["c_bill_old"]["id"]]["actions"] == ["details", "monitor", "barge", "end"]
    assert row("mona")[f["c_bill_q"]["id"]]["actions"] == ["details", "end"]
    assert row("mona", "chats")[f["h_bill_web"]["id"]]["actions"] == ["details", "view", "end"]
    r = row("ada")[f["c_bill_old"]["id"]]
    assert r["agent"] == {"id": "alex", "name": "Alex Agent"}
    assert r["end_user"]["display"] == "Kim Lee" and r["queue_path"] == "Billing > Refunds"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "query.limit"),
        ("limit=abc", "query.limit"),
        ("status=ended", "query.status"),
        ("colour=red", "query.colour"),
        ("queue=nope", "query.queue"),
        ("team=nope", "query.team"),
        ("agent=nobody", "query.agent"),
        ("channel=chat", "query.channel"),
        ("older_than_minutes=-1", "query.older_than_minutes"),
        ("cursor=%%%", "query.cursor"),
        ("cursor=eyJ2IjoxLCJpZCI6Il9feF9fIn0", "query.cursor"),  # {"v":1,"id":"__x__"}
        ("cursor=eyJ2IjpOYU4sImlkIjoiYSJ9", "query.cursor"),  # {"v":NaN,"id":"a"}
    ],
)
def test_bad_list_input_names_the_field(mon, auth, query, field) -> None:
    r = mon.get(f"/calls?{query}", headers=auth("ada"))
    assert r.status_code == 400, r.get_json()
    assert r.get_json()["error"]["field"] == field


def test_many_team_queues_are_queried_in_chunks(
    apply_config, app_client, auth, put_session
) -> None:
    """A team covering more queues than one Firestore `in` filter takes (30)."""
    import yaml

    from tests.helpers.common import DEMO_CONFIG

    cfg = yaml.safe_load(DEMO_CONFIG.read_text())
    billing = next(q for q in cfg["queues"] if q["id"] == "billing")
    billing["children"] += [{"id": f"billing-x{i:02d}", "name": f"Extra {i}"} for i in range(40)]
    apply_config(cfg)
    mon = app_client("monitoring_http")
    now = time.time()
    made = [
        put_session(queue_id=f"billing-x{i:02d}", created_at=now - 100 + i)["id"]
        for i in (0, 17, 33, 39)
    ]
    put_session(queue_id="support-internet")
    assert ids(mon.get("/calls", headers=auth("mona"))) == made
    assert ids(mon.get("/calls?limit=2", headers=auth("mona"))) == made[:2]
