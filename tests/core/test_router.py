"""Router.route: a route's one declaration is what is served (path, method, handler loaded
on first call, fixed arguments) and what it may not be (twice, an unknown caller type)."""

from __future__ import annotations

import sys
from pathlib import Path

import flask
import pytest

from core.http import Router
from core.routes import Route


def echo(request: flask.Request, **kw: str) -> dict:
    return {"method": request.method, **kw}


def _client(router: Router) -> flask.testing.FlaskClient:
    app = flask.Flask("router-test")
    app.add_url_rule(
        "/<path:p>",
        "all",
        lambda p: router.dispatch(flask.request),
        methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
    )
    return app.test_client()


def test_path_parameters_and_args_reach_the_handler() -> None:
    router = Router("t")
    for method, kind in (("GET", "call"), ("PUT", "chat")):
        router.route(
            method, "/x/<session_id>", f"{__name__}:echo", caller="portal", summary="s",
            args={"kind": kind},
        )  # fmt: skip
    client = _client(router)
    assert client.get("/x/s1").get_json() == {"method": "GET", "session_id": "s1", "kind": "call"}
    assert client.put("/x/s2").get_json() == {"method": "PUT", "session_id": "s2", "kind": "chat"}
    r = client.post("/x/s1")
    assert r.status_code == 405 and r.headers["Allow"] == "GET, HEAD, PUT"
    assert router.routes() == [("GET", "/x/<session_id>"), ("PUT", "/x/<session_id>")]
    assert [r.caller for r in router.declared()] == ["portal", "portal"]


def test_handler_module_loads_on_first_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A function pays at cold start only for the modules of the routes it serves."""
    name = "router_test_lazy_handler"
    (tmp_path / f"{name}.py").write_text("def get(request):\n    return {'loaded': True}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    router = Router("t")
    router.route("GET", "/lazy", f"{name}:get", caller="public", summary="s")
    assert name not in sys.modules
    assert _client(router).get("/lazy").get_json() == {"loaded": True}
    assert name in sys.modules
    monkeypatch.delitem(sys.modules, name)


def test_a_route_is_declared_once_with_a_known_caller() -> None:
    router = Router("t")
    router.route("GET", "/a", f"{__name__}:echo", caller="public", summary="s")
    with pytest.raises(ValueError, match="declared twice"):
        router.route("GET", "/a", f"{__name__}:echo", caller="public", summary="s")
    with pytest.raises(ValueError, match="unknown caller type"):
        Route("GET", "/b", f"{__name__}:echo", "nobody", "s")
    with pytest.raises(ValueError, match="module:name"):
        Route("GET", "/b", "echo", "public", "s")
