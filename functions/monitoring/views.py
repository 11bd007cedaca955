"""How sessions are shown to supervisors: list rows and details."""

from __future__ import annotations

import time
from typing import Any

from core.auth.portal import Principal
from core.config.view import CenterView
from monitoring import access


def user_name(view: CenterView, user_id: str | None) -> str | None:
    if not user_id:
        return None
    user = view.cfg.users.get(user_id)
    return user.name if user else user_id


def end_user_display(doc: dict[str, Any]) -> dict[str, Any]:
    eu = doc.get("end_user") or {}
    # "end user name or unique id": the name when we know it, else the stable identifier.
    return {
        "id": eu.get("id"),
        "name": eu.get("name"),
        "display": eu.get("name") or eu.get("id") or eu.get("phone"),
        "anonymous": bool(eu.get("anonymous", True)),
    }


def live_metrics(doc: dict[str, Any], now: float) -> dict[str, float]:
    """Stored metrics, with the running clock added for whatever is still in progress."""
    m = dict(doc.get("metrics") or {})
    wait = float(m.get("wait_seconds") or 0.0)
    talk = float(m.get("talk_seconds") or 0.0)
    whisper = float(m.get("whisper_seconds") or 0.0)
    countdown = float(m.get("countdown_seconds") or 0.0)
    status = doc.get("status")
    if status == "queued" and doc.get("queued_at"):
        # Whisper and countdown count toward the contact's wait (SPEC capability 5).
        wait = now - float(doc["queued_at"]) + whisper + countdown
    if status == "connected" and doc.get("connected_at"):
        talk = now - float(doc["connected_at"])
    return {
        "queue_wait_seconds": round(max(wait, 0.0), 3),
        "talk_seconds": round(max(talk, 0.0), 3),
        "hold_seconds": round(float(m.get("hold_seconds") or 0.0), 3),
        "whisper_seconds": round(whisper, 3),
        "countdown_seconds": round(countdown, 3),
    }


def crm_link(doc: dict[str, Any]) -> dict[str, Any] | None:
    crm = doc.get("crm") or {}
    ticket = crm.get("ticket_id")
    if not ticket and not crm.get("url"):
        return None
    from core.crm import choice

    records = choice.records("customers")
    url = crm.get("url")
    if not url and ticket:
        url = records.ticket_url(ticket)
    return {"system": records.name, "ticket_id": ticket, "url": url}


# Row fields computed from the clock: they change every second, so a list's ETag leaves
# them out (the console ticks them locally between polls).
CLOCK_FIELDS = ("age_seconds", "queue_wait_seconds", "talk_seconds")


def profile_flags(doc: dict[str, Any]) -> dict[str, bool]:
    """The profile flags a supervisor scans for in a list row (true ones only matter)."""
    p = doc.get("profile") or {}
    return {k: bool(p.get(k)) for k in ("verified_customer", "bad_actor", "repeat_customer")}


def without_clocks(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in r.items() if k not in CLOCK_FIELDS} for r in rows]


def row(doc: dict[str, Any], who: Principal, view: CenterView, now: float) -> dict[str, Any]:
    created = float(doc.get("created_at") or now)
    metrics = live_metrics(doc, now)
    return {
        "id": doc["id"],
        "kind": doc.get("kind"),
        "channel": doc.get("channel"),
        "status": doc.get("status"),
        "queue_id": doc.get("queue_id"),
        "queue_path": doc.get("queue_path"),
        "agent": (
            {"id": doc["agent_id"], "name": user_name(view, doc["agent_id"])}
            if doc.get("agent_id")
            else None
        ),
        "end_user": end_user_display(doc),
        "created_at": created,
        "age_seconds": round(max(now - created, 0.0), 3),
        "queue_wait_seconds": metrics["queue_wait_seconds"],
        "talk_seconds": metrics["talk_seconds"],
        "queued_at": doc.get("queued_at"),
        "connected_at": doc.get("connected_at"),
        "profile": profile_flags(doc),
        "monitors": [
            {"user_id": m.get("user_id"), "name": m.get("name"), "mode": access.mode_of(m)}
            for m in doc.get("monitors") or []
        ],
        "monitor_count": len(doc.get("monitors") or []),
        "monitored_by_me": any(m.get("user_id") == who.user_id for m in doc.get("monitors") or []),
        "actions": access.actions_for(who, doc),
    }


def _monitor_view(m: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "user_id", "name", "kind", "started_at", "participant_call_sid")
    out = {k: m.get(k) for k in keys if k in m}
    if m.get("kind") == "listen":
        out["mode"] = access.mode_of(m)
    return out


def transfers_view(doc: dict[str, Any], view: CenterView) -> list[dict[str, Any]]:
    """Recorded transfers (core.sessions.transfers), with agent names for display."""
    out = []
    for t in doc.get("transfers") or []:
        t = dict(t)
        for end in ("from", "to"):
            place = dict(t.get(end) or {})
            place["agent_name"] = user_name(view, place.get("agent_id"))
            t[end] = place
        out.append(t)
    return out


def participants_view(doc: dict[str, Any], view: CenterView) -> list[dict[str, Any]]:
    """The customer leg first, then every agent leg the call has had (left or not)."""
    carrier = doc.get("carrier") or {}
    legs = [dict(p) for p in doc.get("participants") or []]
    if carrier.get("call_sid") and not any(p.get("role") == "customer" for p in legs):
        legs.insert(0, {"role": "customer", "call_sid": carrier["call_sid"]})
    out = []
    for p in legs:
        if p.get("role") == "customer":
            eu = end_user_display(doc)
            p |= {
                "id": p.get("id") or eu["id"],
                "name": eu["display"] or carrier.get("from"),
                "from": carrier.get("from"),
            }
            p.setdefault("joined_at", doc.get("created_at"))
        elif p.get("role") == "agent":
            p["name"] = user_name(view, p.get("id"))
        p.setdefault("joined_at", None)
        p["active"] = not p.get("left_at") and doc.get("status") != "ended"
        out.append(p)
    return out


def call_details(doc: dict[str, Any], who: Principal, view: CenterView) -> dict[str, Any]:
    now = time.time()
    carrier = doc.get("carrier") or {}
    return row(doc, who, view, now) | {
        "metrics": live_metrics(doc, now),
        "transfers": transfers_view(doc, view),
        "participants": participants_view(doc, view),
        "profile": doc.get("profile"),
        "monitors": [_monitor_view(m) for m in doc.get("monitors") or []],
        "carrier": {
            "call_sid": carrier.get("call_sid"),
            "conference_sid": carrier.get("conference_sid"),
            "from": carrier.get("from"),
            "to": carrier.get("to"),
        },
        "connected_at": doc.get("connected_at"),
        "queued_at": doc.get("queued_at"),
        "ended_at": doc.get("ended_at"),
        "ended_by": doc.get("ended_by"),
        "crm": crm_link(doc),
    }


def chat_details(doc: dict[str, Any], who: Principal, view: CenterView) -> dict[str, Any]:
    now = time.time()
    return row(doc, who, view, now) | {
        "issue": doc.get("queue_path"),  # the menu path the end user chose
        "metrics": live_metrics(doc, now),
        "transfers": transfers_view(doc, view),
        "viewers": [_monitor_view(m) for m in doc.get("monitors") or []],
        "language": doc.get("language"),
        "profile": doc.get("profile"),
        "connected_at": doc.get("connected_at"),
        "queued_at": doc.get("queued_at"),
        "ended_at": doc.get("ended_at"),
        "ended_by": doc.get("ended_by"),
        "crm": crm_link(doc),
    }
