"""POST /tasks/deliver: Cloud Tasks hands a delivery to the worker.

The task must carry the tasks account's OIDC token (core/push.py) and our HMAC of its body
(recordings/tasks.py), so the public function runs only tasks we created.
"""

from __future__ import annotations

import json

import flask
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core import push, signing
from core.errors import ApiError, from_validation
from core.http import json_response
from recordings import tasks
from recordings.config import rec_settings


class TaskBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    recording_sid: str = Field(pattern=r"^RE[0-9a-fA-F]{32}$")
    gen: int = Field(ge=0)


def deliver(request: flask.Request) -> flask.Response:
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
