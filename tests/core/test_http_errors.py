"""The error model through a real Router: JSON 4xx naming the field, never a bare 500."""

from __future__ import annotations

import io
import json
import logging

import flask
from pydantic import BaseModel, ConfigDict, Field

from core.http import Router, parse_body
from core.logs import JsonFormatter


class Thing(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1)
    size: int = Field(ge=0)


def create(request: flask.Request) -> tuple[dict, int]:
    body = parse_body(request, Thing)
    return body.model_dump(), 201


def boom(request: flask.Request) -> dict:
    raise RuntimeError("bug")


router = Router("t")
router.route("POST", "/things", f"{__name__}:create", caller="public", summary="create")
router.route("GET", "/boom", f"{__name__}:boom", caller="public", summary="boom")


app = flask.Flask("t")
app.add_url_rule(
    "/<path:p>", "all", lambda p: router.dispatch(flask.request), methods=["GET", "POST", "PUT"]
)
client = app.test_client()


def err(r) -> dict:
    return r.get_json()["error"]


def test_valid_body() -> None:
    r = client.post("/things", json={"name": "a", "size": 1})
    assert r.status_code == 201 and r.get_json() == {"name": "a", "size": 1}


def test_unknown_field_rejected() -> None:
    r = client.post("/things", json={"name": "a", "size": 1, "admin": True})
    assert r.status_code == 400
    assert err(r)["field"] == "admin" and err(r)["errors"][0]["problem"] == "unknown field"


def test_wrong_type_names_the_field() -> None:
    r = client.post("/things", json={"name": "a", "size": -3})
    assert r.status_code == 400 and err(r)["field"] == "size"


def test_not_json_and_not_object() -> None:
    r = client.post("/things", data="{nope", content_type="application/json")
    assert r.status_code == 400 and err(r)["field"] == "body"
    r = client.post("/things", data=json.dumps([1]), content_type="application/json")
    assert r.status_code == 400 and err(r)["field"] == "body"
    r = client.post("/things", data="a=1", content_type="application/x-www-form-urlencoded")
    assert r.status_code == 415


def test_routing_errors_are_json() -> None:
    r = client.get("/nowhere")
    assert r.status_code == 404 and err(r)["code"] == "not_found"
    r = client.put("/things")
    assert r.status_code == 405 and r.headers["Allow"] == "POST"


def test_unhandled_bug_is_logged_and_json() -> None:
    buf = io.StringIO()
    handler = logging.StreamHandler(buf)
    handler.setFormatter(JsonFormatter())
    logging.getLogger().addHandler(handler)
    try:
        r = client.get("/boom", headers={"X-Cloud-Trace-Context": "abc123/1;o=1"})
    finally:
        logging.getLogger().removeHandler(handler)
    assert r.status_code == 500 and err(r)["code"] == "internal"
    lines = [json.loads(line) for line in buf.getvalue().splitlines()]
    entry = next(e for e in lines if "unhandled" in e["message"])
    assert entry["severity"] == "ERROR"
    assert entry["logging.googleapis.com/trace"].endswith("/traces/abc123")
    assert "RuntimeError" in entry["stack_trace"]
