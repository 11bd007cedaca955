"""Scheduled calls: book a slot, cancel it, and call the customer back at the slot.

Booking (end-user JWT) runs in one Firestore transaction over the slot document
(`scheduled_slots/{queue}:{epoch}`, a count under the queue's per-slot capacity) and the
booking document, whose id comes from the Idempotency-Key or else from (end user, queue,
slot): a retried booking returns the first one and never counts twice. The callback is a
Cloud Tasks task with `schedule_time` at the slot start, named after the booking so a
repeated enqueue is refused; it reaches POST /tasks/scheduled-call (HMAC of the body, plus
the queue's OIDC identity in the cloud, like the recordings delivery task). The task dials
the customer through the carrier; the answered leg's (signed) URL names the queue and its
TwiML enqueues the caller there, with the session created through core.sessions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import time
from typing import Any

import flask
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core import clients, idempotency, logs, throttle, ttl
from core.auth.sdk_jwt import verify_end_user
from core.auth.twilio_signature import verify_twilio
from core.config.schema.common import E164
from core.config.store import get_view
from core.decisions import decide, messages, policy
from core.errors import ApiError, bad_request, from_validation, not_found
from core.hours import open_slots
from core.http import json_response, parse_body, xml_response
from core.sessions.marks import Mark, record
from core.settings import settings
from deflection import clock, dialout, twiml
from deflection.routing import check_query

log = logs.get("deflection.scheduled")
BOOKINGS = "scheduled_calls"
SLOTS = "scheduled_slots"
TASK_ROUTE = "/tasks/scheduled-call"
# The header of the "task" caller kind (docs/openapi), shared with the recordings task.
TASK_HEADER = "X-Recording-Task-Signature"


class BookRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    queue_id: str = Field(min_length=1, max_length=63)
    platform: str = Field("mobile", pattern="^(mobile|web)$")
    slot_start: dt.datetime
    language: str | None = Field(None, max_length=35)
    phone: E164 | None = None  # the number to call back; default: the token's `phone`


class TaskBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    booking_id: str = Field(pattern=r"^[0-9a-f]{64}$")


# -- task signing (the same scheme as the recordings delivery task) ----------------------
def _key() -> bytes:
    return hashlib.sha256(
        b"scheduled-call-tasks:" + settings().company_secret.get_secret_value().encode()
    ).digest()


def sign(body: bytes) -> str:
    return hmac.new(_key(), body, hashlib.sha256).hexdigest()


def _enqueue(booking_id: str, at: float) -> str:
    from google.api_core.exceptions import AlreadyExists
    from google.cloud import tasks_v2
    from google.protobuf import timestamp_pb2

    from recordings.config import rec_settings

    parent = clients.queue_path(settings().scheduled_calls_queue)
    base = settings().function_url("deflection_http")
    # Named per booking and booking generation: a repeated enqueue is refused by the queue.
    name = f"{parent}/tasks/call-{booking_id[:40]}-{int(at)}"
    body = json.dumps({"booking_id": booking_id}).encode()
    ts = timestamp_pb2.Timestamp()
    ts.FromNanoseconds(int(at * 1e9))
    task: dict[str, Any] = {
        "name": name,
        "schedule_time": ts,
        "http_request": {
            "http_method": tasks_v2.HttpMethod.POST,
            "url": base + TASK_ROUTE,
            "headers": {"Content-Type": "application/json", TASK_HEADER: sign(body)},
            "body": body,
        },
    }
    sa = rec_settings().tasks_service_account
    if sa:  # checked on arrival (core/push.py): the account, and our base URL as audience
        task["http_request"]["oidc_token"] = {"service_account_email": sa, "audience": base}
    try:
        clients.tasks().create_task(request={"parent": parent, "task": task})
    except AlreadyExists:
        log.info("task for booking already exists")
    return name


def _bookings() -> Any:
    return clients.firestore().collection(BOOKINGS)


def _slot_ref(qid: str, start: dt.datetime) -> Any:
    return clients.firestore().collection(SLOTS).document(f"{qid}:{int(start.timestamp())}")


def _public(doc: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "queue_id", "slot_start", "slot_end", "status", "phone", "task")
    return {k: doc.get(k) for k in keys}


# -- booking -------------------------------------------------------------------------------
def book(request: flask.Request) -> flask.Response:
    from google.cloud import firestore

    user = verify_end_user(request)
    check_query(request.args, frozenset({"at"}))
    body = parse_body(request, BookRequest)
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > 200:
        raise bad_request("Idempotency-Key", "at most 200 characters")
    view = get_view()
    node = policy.queue_or_400(view, body.queue_id, "queue_id")
    if body.platform not in view.channels(node.id):
        raise bad_request("platform", f"queue {node.id!r} does not take {body.platform}")
    if body.slot_start.tzinfo is None:
        raise bad_request("slot_start", "needs a UTC offset, e.g. 2026-06-02T13:00:00Z")
    language = messages.language_code(view, body.language)
    at = clock.now(request.args.get("at"))
    phone = body.phone or user.phone
    if not phone:
        raise bad_request("phone", "required (the token carries no phone number)")
    d = decide.sdk(view, node.id, body.platform, language, at)
    offer = next((o for o in d.options if o["type"] == "scheduled_call"), None)
    if offer is None:
        raise ApiError(
            409, "not_offered", f"queue {node.id!r} offers no scheduled call now", field="queue_id"
        )
    start = body.slot_start.astimezone(dt.UTC)
    center = policy.sdk_center(view, body.platform)
    state = policy.hours_state(view, node.id, body.platform, language, at)
    slots = open_slots(
        state.spec,
        state.timezone,
        at,
        at + dt.timedelta(days=center.slot_days),
        center.slot_minutes,
        limit=decide.MAX_SLOTS,
    )
    slot = next(((a, b) for a, b in slots if a.astimezone(dt.UTC) == start), None)
    if slot is None:
        raise bad_request("slot_start", "not one of the offered slots")
    if user.anonymous:  # anyone can get a visitor token: 429 before a slot is taken
        throttle.anonymous_session(request, user.identifier)
    capacity = policy.scheduled_calls(view, node.id).capacity
    seed = key or f"{node.id}\n{int(start.timestamp())}"
    booking_id = hashlib.sha256(f"{user.identifier}\n{seed}".encode()).hexdigest()
    ref = _bookings().document(booking_id)
    slot_ref = _slot_ref(node.id, start)
    now = time.time()
    # Bookings and slot counts are useless a month after the slot.
    expire = ttl.expire_at(slot[1].timestamp() - now + 30 * ttl.DAY, now)
    doc: dict[str, Any] = {
        "id": booking_id,
        "user_id": user.identifier,
        "queue_id": node.id,
        "queue_path": node.path,
        "platform": body.platform,
        "language": language,
        "phone": phone,
        "slot_start": start.isoformat(),
        "slot_end": slot[1].astimezone(dt.UTC).isoformat(),
        "status": "booked",
        "created_at": now,
        "call_sid": None,
        ttl.FIELD: expire,
    }

    @firestore.transactional
    def txn(t: Any) -> tuple[dict[str, Any], bool]:
        snap = ref.get(transaction=t)
        if snap.exists:
            prior = snap.to_dict()
            same = (prior["queue_id"], prior["slot_start"], prior["phone"]) == (
                node.id,
                start.isoformat(),
                phone,
            )
            if not same:
                raise bad_request("Idempotency-Key", "reused with a different request")
            if prior["status"] != "cancelled":
                return prior, False  # a retry: the first booking, counted once
        s = slot_ref.get(transaction=t)
        taken = int(s.get("count")) if s.exists else 0
        if taken >= capacity:
            raise ApiError(409, "slot_full", "that slot is fully booked", field="slot_start")
        t.set(
            slot_ref,
            {
                "queue_id": node.id,
                "start": start.isoformat(),
                "count": taken + 1,
                ttl.FIELD: expire,
            },
        )
        t.set(ref, doc)
        return doc, True

    saved, created = txn(clients.firestore().transaction())
    if created:
        task = _enqueue(booking_id, start.timestamp())
        ref.update({"task": task})
        saved = saved | {"task": task}
        logs.event(log, "scheduled call booked", queue_id=node.id, slot=start.isoformat())
    return json_response(_public(saved) | {"replayed": not created}, 201 if created else 200)


def cancel(request: flask.Request, booking_id: str) -> dict[str, Any]:
    """Only the booking's owner cancels; anyone else sees 404."""
    from google.cloud import firestore

    user = verify_end_user(request)
    check_query(request.args, frozenset())
    ref = _bookings().document(booking_id)

    @firestore.transactional
    def txn(t: Any) -> dict[str, Any]:
        snap = ref.get(transaction=t)
        if not snap.exists or snap.get("user_id") != user.identifier:
            raise not_found("booking")
        cur = snap.to_dict()
        if cur["status"] != "booked":
            if cur["status"] == "cancelled":
                return cur  # repeated cancel
            raise ApiError(409, "already_called", "the callback has started", field="booking")
        start = dt.datetime.fromisoformat(cur["slot_start"])
        slot_ref = _slot_ref(cur["queue_id"], start)
        s = slot_ref.get(transaction=t)
        if s.exists:
            t.update(slot_ref, {"count": max(0, int(s.get("count")) - 1)})
        t.update(ref, {"status": "cancelled", "cancelled_at": time.time()})
        return cur | {"status": "cancelled"}

    out = txn(clients.firestore().transaction())
    if out.get("task"):
        try:  # the task would find the booking cancelled anyway
            clients.tasks().delete_task(name=out["task"])
        except Exception:  # noqa: BLE001 - best effort; NotFound once it ran or was deleted
            pass
    return _public(out)


# -- the callback ----------------------------------------------------------------------------
def run_task(request: flask.Request) -> flask.Response:
    from core import push
    from recordings.config import rec_settings

    push.authenticate(request, rec_settings().tasks_service_account, "Cloud Tasks")
    raw = request.get_data(cache=True)
    got = request.headers.get(TASK_HEADER, "")
    if not got or not hmac.compare_digest(sign(raw), got):
        raise ApiError(
            403, "bad_signature", f"{TASK_HEADER} is missing or invalid", field=TASK_HEADER
        )
    try:
        body = TaskBody.model_validate(json.loads(raw or b"null"))
    except ValidationError as exc:
        raise from_validation(exc) from None
    except ValueError:
        raise ApiError(400, "invalid_field", "body: not valid JSON", field="body") from None
    ref = _bookings().document(body.booking_id)
    snap = ref.get()
    if not snap.exists:
        return json_response({"status": "unknown_booking"})
    doc = snap.to_dict()
    if doc["status"] != "booked":
        return json_response({"status": doc["status"]})  # cancelled, or a redelivery
    claim = f"scheduled-call:{body.booking_id}:{doc['slot_start']}"
    if not idempotency.claim(claim):
        return json_response({"status": "in_progress"})
    webhook = twiml.url(
        "/twilio/scheduled-call",
        queue=doc["queue_id"],
        language=doc["language"],
        booking=body.booking_id,
    )
    try:
        sid = dialout.call(doc["phone"], settings().twilio_caller_id, webhook)
    except ApiError as exc:
        idempotency.release(claim)
        if exc.status >= 500:
            return json_response({"status": "carrier_unavailable"}, 503, {"Retry-After": "30"})
        ref.update({"status": "failed", "error": exc.message})
        return json_response({"status": "failed"})
    ref.update({"status": "called", "call_sid": sid, "called_at": time.time()})
    idempotency.done(claim, {"call_sid": sid})
    logs.event(log, "scheduled call placed", queue_id=doc["queue_id"], call_sid=sid)
    return json_response({"status": "called", "call_sid": sid})


def answered(request: flask.Request) -> flask.Response:
    """The customer picked up the callback: into the queue, session queued."""
    params = verify_twilio(request)
    check_query(request.args, frozenset({"queue", "language", "booking"}))
    view = get_view()
    node = policy.queue_or_400(view, request.args.get("queue"), "queue")
    sid = params.get("CallSid", "")
    if not sid.startswith("CA"):
        raise bad_request("CallSid", "must be a Twilio call sid")
    language = messages.language_code(view, request.args.get("language"))
    booking = request.args.get("booking")
    snap = _bookings().document(booking or "-").get() if booking else None
    phone = snap.get("phone") if snap is not None and snap.exists else params.get("To")
    user_id = snap.get("user_id") if snap is not None and snap.exists else None
    record(
        Mark(
            sid,
            "queued",
            {
                "channel": "voice",
                "queue_id": node.id,
                "queue_path": node.path,
                "language": language,
                "end_user": {
                    "id": user_id,
                    "name": None,
                    "email": None,
                    "phone": phone,
                    "anonymous": False,
                },
                "carrier": {"call_sid": sid, "from": params.get("From"), "to": params.get("To")},
            },
        )
    )
    return xml_response(twiml.enqueue(node.id))
