"""Voicemails: stored when the recording is complete, delivered when the queue opens.

Storage (recording-status callback): the audio is fetched from the carrier into the
media bucket, a `voicemails/{RecordingSid}` document is created (the carrier may call
twice: the second call finds it), and the session moves deflected -> voicemail.

Delivery (scheduled): queue by queue (a closed queue's backlog is never read), each
pending voicemail whose queue is open now, oldest first, goes to the queue's
agents (one notification record per agent, written with the status change in one
transaction), or, for a queue nobody is assigned to, to the CRM as a Zendesk ticket with
the audio attached when the top-level queue asks for it (`crm_on_no_agents`).
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator
from typing import Any

import requests

from core import carrier, clients, idempotency, logs
from core.config.view import CenterView
from core.crm import choice
from core.crm.errors import CrmError
from core.decisions import policy
from core.errors import ApiError, bad_request
from core.sessions import store
from core.settings import settings

log = logs.get("deflection.voicemail")
COLLECTION = "voicemails"
NOTIFICATIONS = "agent_notifications"
_RECORDING_SID = re.compile(r"^RE[0-9a-fA-F]{32}$")


def _ref(vm_id: str) -> Any:
    return clients.firestore().collection(COLLECTION).document(vm_id)


# -- storage -----------------------------------------------------------------------------
def _download(recording_url: str) -> bytes:
    base = settings().twilio_api_base.rstrip("/") + "/"
    if not recording_url.startswith(base):  # never fetch a URL the carrier did not serve
        raise bad_request("RecordingUrl", "not a recording of our carrier account")
    try:
        resp = requests.get(recording_url + ".wav", auth=carrier.basic_auth(), timeout=60)
    except requests.RequestException as exc:
        raise ApiError(
            503,
            "carrier_unavailable",
            f"recording download failed: {exc}",
            headers={"Retry-After": "5"},
        ) from None
    if resp.status_code != 200:
        # 5xx to Twilio: it retries the callback later.
        raise ApiError(
            503,
            "carrier_unavailable",
            f"recording download answered {resp.status_code}",
            headers={"Retry-After": "5"},
        )
    return resp.content


def store_recording(
    view: CenterView,
    call_sid: str,
    qid: str,
    language: str,
    params: dict[str, str],
    callback: str | None,
    at: dt.datetime,
) -> None:
    from google.api_core.exceptions import AlreadyExists, PreconditionFailed

    rec_sid = params.get("RecordingSid", "")
    if not _RECORDING_SID.match(rec_sid):
        raise bad_request("RecordingSid", "must be a Twilio recording sid (RE + 32 hex)")
    if _ref(rec_sid).get().exists:
        return  # a repeated callback
    data = _download(params.get("RecordingUrl", ""))
    name = f"voicemails/{call_sid}/{rec_sid}.wav"
    blob = clients.storage_client().bucket(settings().media_bucket).blob(name)
    try:
        blob.upload_from_string(data, content_type="audio/wav", if_generation_match=0)
    except PreconditionFailed:
        pass  # stored by an earlier attempt
    now = time.time()
    node = view.queues[qid]
    try:
        duration = int(params.get("RecordingDuration") or 0)
    except ValueError:
        duration = 0
    doc = {
        "id": rec_sid,
        "call_sid": call_sid,
        "queue_id": qid,
        "queue_path": node.path,
        "language": language,
        "from": params.get("From") or params.get("Caller"),
        "callback_number": callback,
        "bucket": settings().media_bucket,
        "object": name,
        "size": len(data),
        "duration_seconds": duration,
        "status": "pending",
        "left_at": at.timestamp(),
        "created_at": now,
        "delivered_at": None,
        "delivery": None,
    }
    try:
        _ref(rec_sid).create(doc)
    except AlreadyExists:
        return
    store.transition(
        call_sid,
        "voicemail",
        create={
            "channel": "voice",
            "queue_id": qid,
            "queue_path": node.path,
            "language": language,
            "carrier": {"call_sid": call_sid},
        },
        extra={"voicemail": {"id": rec_sid, "object": name, "callback_number": callback}},
    )
    _delete_at_carrier(params.get("RecordingUrl", ""))
    logs.event(log, "voicemail stored", voicemail_id=rec_sid, queue_id=qid, size=len(data))


def _delete_at_carrier(recording_url: str) -> None:
    """Our bucket holds the copy now; the carrier's is deleted (best effort)."""
    try:
        requests.delete(recording_url + ".json", auth=carrier.basic_auth(), timeout=15)
    except requests.RequestException:
        log.warning("could not delete %s at the carrier", recording_url)


# -- delivery ----------------------------------------------------------------------------
PAGE = 200
# Voicemails read per queue per run: one run's work stays bounded, and since each queue
# has its own budget, a backlog on one queue never holds up another.
PER_QUEUE_PER_RUN = 1000


def _pending_query() -> Any:
    from google.cloud.firestore_v1.base_query import FieldFilter

    coll = clients.firestore().collection(COLLECTION)
    return coll.where(filter=FieldFilter("status", "==", "pending"))


def pending_queues() -> Iterator[str]:
    """Each queue id that has a pending voicemail, once: a skip scan over the queue ids,
    one read per queue, however many voicemails wait on a queue that is closed."""
    q = _pending_query().order_by("queue_id").limit(1)
    last: str | None = None
    while True:
        page = list((q if last is None else q.start_after({"queue_id": last})).stream())
        if not page:
            return
        last = page[0].get("queue_id")
        yield last


def pending_of(qid: str, limit: int | None = None) -> Iterator[dict[str, Any]]:
    """Pending voicemails of one queue, oldest first, page by page (at most `limit`,
    default PER_QUEUE_PER_RUN)."""
    from google.cloud.firestore_v1.base_query import FieldFilter

    limit = PER_QUEUE_PER_RUN if limit is None else limit
    q = _pending_query().where(filter=FieldFilter("queue_id", "==", qid)).order_by("left_at")
    cursor = None
    seen = 0
    while seen < limit:
        size = min(PAGE, limit - seen)
        page = list((q if cursor is None else q.start_after(cursor)).limit(size).stream())
        for snap in page:
            yield snap.to_dict()
        seen += len(page)
        if len(page) < size:
            return
        cursor = page[-1]


def deliver_due(view: CenterView, at: dt.datetime) -> dict[str, int]:
    """Deliver the pending voicemails of every queue that is open at `at`.

    Queues are taken one by one, so voicemails waiting on closed queues are never read,
    let alone allowed to crowd out those of open ones.
    """
    counts = {
        "agents": 0,
        "crm": 0,
        "waiting": 0,
        "closed_queues": 0,
        "failed": 0,
        "undeliverable": 0,
    }
    languages: list[str | None] = [*view.cfg.languages] or [None]
    for qid in list(pending_queues()):
        if qid not in view.queues:
            for vm in pending_of(qid):
                _finish(vm["id"], "undeliverable", {"why": "queue no longer exists"})
                counts["undeliverable"] += 1
            continue
        opened: dict[str | None, bool] = {
            lang: policy.hours_state(view, qid, "voice", lang, at).open for lang in languages
        }
        if not any(opened.values()):
            counts["closed_queues"] += 1  # skipped whole: none of its voicemails is read
            continue
        for vm in pending_of(qid):
            lang = vm.get("language")
            if lang not in opened:
                opened[lang] = policy.hours_state(view, qid, "voice", lang, at).open
            if not opened[lang]:
                counts["waiting"] += 1
                continue
            _deliver(view, qid, vm, at, counts)
    return counts


def _deliver(
    view: CenterView, qid: str, vm: dict[str, Any], at: dt.datetime, counts: dict[str, int]
) -> None:
    agents = view.agents_of_queue(qid)
    top = view.queues[view.top_level(qid)]
    try:
        if agents:
            _to_agents(vm["id"], agents, at)
            counts["agents"] += 1
        elif top.cfg.crm_on_no_agents:
            _to_crm(vm, at)
            counts["crm"] += 1
        else:
            _finish(vm["id"], "undeliverable", {"why": "no agents and no CRM delivery"})
            counts["undeliverable"] += 1
    except CrmError as exc:  # the next scheduled run tries again
        log.warning("voicemail %s: CRM delivery failed: %s", vm["id"], exc)
        counts["failed"] += 1


def _to_agents(vm_id: str, agents: list[str], at: dt.datetime) -> None:
    from google.cloud import firestore

    db = clients.firestore()
    ref = _ref(vm_id)

    @firestore.transactional
    def txn(t: Any) -> None:
        snap = ref.get(transaction=t)
        if not snap.exists or snap.get("status") != "pending":
            return  # delivered by a concurrent run
        vm = snap.to_dict()
        for agent in agents:
            t.set(
                db.collection(NOTIFICATIONS).document(f"voicemail-{vm_id}-{agent}"),
                {
                    "agent_id": agent,
                    "type": "voicemail",
                    "voicemail_id": vm_id,
                    "queue_id": vm["queue_id"],
                    "queue_path": vm["queue_path"],
                    "from": vm.get("from"),
                    "callback_number": vm.get("callback_number"),
                    "bucket": vm["bucket"],
                    "object": vm["object"],
                    "duration_seconds": vm.get("duration_seconds"),
                    "read": False,
                    "created_at": time.time(),
                },
            )
        t.update(
            ref,
            {
                "status": "delivered",
                "delivered_at": at.timestamp(),
                "delivery": {"to": "agents", "agents": agents},
            },
        )

    txn(db.transaction())


def _to_crm(vm: dict[str, Any], at: dt.datetime) -> None:
    vm_id = vm["id"]
    key = f"voicemail-crm:{vm_id}"
    if not idempotency.claim(key, lease_seconds=300):
        return  # another run is on it, or it is done
    try:
        crm = choice.records("voicemail")
        blob = clients.storage_client().bucket(vm["bucket"]).blob(vm["object"])
        who = vm.get("callback_number") or vm.get("from") or "unknown caller"
        ticket_id = crm.ensure_voicemail_ticket(
            f"voicemail:{vm_id}",
            f"Voicemail for {vm['queue_path']} from {who}",
            (
                f"After-hours voicemail left for {vm['queue_path']}.\n"
                f"Caller: {vm.get('from') or 'withheld'}\n"
                f"Callback number: {vm.get('callback_number') or 'not given'}\n"
                f"Duration: {vm.get('duration_seconds')} s"
            ),
            blob.download_as_bytes,
            f"voicemail-{vm_id}.wav",
            "audio/wav",
        )
    except Exception:
        idempotency.release(key)
        raise
    _finish(vm_id, "delivered", {"to": "crm", "crm": crm.name, "ticket_id": ticket_id}, at)
    if store.get(vm["call_sid"]) is not None:  # link the ticket on the call's session
        store.update(
            vm["call_sid"],
            lambda d: {"crm": dict(d.get("crm") or {}) | {"ticket_id": ticket_id}},
            "session.crm_linked",
            {"ticket_id": ticket_id},
            f"{vm['call_sid']}:crm:{ticket_id}",
        )
    idempotency.done(key, {"ticket_id": ticket_id})


def _finish(
    vm_id: str, status: str, delivery: dict[str, Any], at: dt.datetime | None = None
) -> None:
    _ref(vm_id).update(
        {
            "status": status,
            "delivery": delivery,
            "delivered_at": at.timestamp() if at else time.time(),
        }
    )
