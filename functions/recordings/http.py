"""recordings_http: the carrier's recording-status callback, the delivery worker (Cloud
Tasks), and signed access for the CRM (key + TOTP handshake, then short-lived URLs)."""

from __future__ import annotations

import json
from typing import Any

import flask
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core import signing
from core.errors import ApiError, from_validation
from core.http import Router, json_response
from recordings import access, callback, tasks

router = Router("recordings_http")


class TaskBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    recording_sid: str = Field(pattern=r"^RE[0-9a-fA-F]{32}$")
    gen: int = Field(ge=0)


@router.route("/twilio/recording-status", ["POST"])
def recording_status(request: flask.Request) -> flask.Response:
    return callback.handle(request)


@router.route(tasks.ROUTE, ["POST"])
def deliver(request: flask.Request) -> flask.Response:
    from core import push
    from recordings.config import rec_settings

    push.authenticate(request, rec_settings().tasks_service_account, "Cloud Tasks")
    raw = request.get_data(cache=True)
    try:
        tasks.verify(raw, request.headers.get(tasks.HEADER))
    except signing.SignatureError:
        raise ApiError(
            403, "bad_signature", f"{tasks.HEADER} is missing or invalid", field=tasks.HEADER
        ) from None
    try:
        body = TaskBody.model_validate(json.loads(raw or b"null"))
    except ValidationError as exc:
        raise from_validation(exc) from None
    except ValueError:
        raise ApiError(400, "invalid_field", "body: not valid JSON", field="body") from None
    from recordings import worker

    # 2xx for every delivery outcome (our own retries are scheduled tasks); 503 only when
    # the state store could not be written, so the queue delivers this task again.
    out = worker.run(body.recording_sid, body.gen)
    if out.get("redeliver"):
        return json_response(out, 503, {"Retry-After": "5"})
    return json_response(out)


@router.route("/recordings/session", ["POST"])
def session(request: flask.Request) -> dict[str, Any]:
    from recordings import mfa

    return mfa.start_session(request)


@router.route("/recordings/<sid>/url", ["GET"])
def url(request: flask.Request, sid: str) -> dict[str, Any]:
    return access.signed_url(request, sid)


@router.route("/recordings/<sid>/media", ["GET"])
def media(request: flask.Request, sid: str) -> flask.Response:
    return access.media(request, sid)


def handle(request: flask.Request) -> flask.Response:
    return router.dispatch(request)
