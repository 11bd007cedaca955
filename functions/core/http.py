"""A small router for HTTP functions, built on werkzeug's routing, with the error model.

Each HTTP entry point owns a Router whose `route(...)` calls declare every route once
(core/routes.py); `dispatch` maps errors to JSON, never a bare 500.
"""

from __future__ import annotations

import importlib
import json
import logging
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeGuard, TypeVar

import flask
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule

from core import inflight, logs
from core.errors import ApiError, bad_request, from_validation
from core.routes import Route
from core.settings import settings

if TYPE_CHECKING:  # pragma: no cover - pydantic is imported by the routes that use it
    from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound="BaseModel")
Handler = Callable[..., Any]
log = logs.get("http")


def json_response(
    body: Any, status: int = 200, headers: dict[str, str] | None = None
) -> flask.Response:
    return flask.Response(
        json.dumps(body, default=str),
        status=status,
        headers=headers or {},
        mimetype="application/json",
    )


def xml_response(xml: str, status: int = 200) -> flask.Response:
    return flask.Response(xml, status=status, mimetype="text/xml")


def error_response(err: ApiError) -> flask.Response:
    if err.status == 413:
        # functions-framework reads the whole request body after any non-streamed
        # response; an upload refused for its size must not be read to its end (a chunked
        # one may never end), so this refusal is streamed.
        payload = json.dumps(err.body()).encode()
        return flask.Response(
            iter([payload]), status=413, headers=err.headers, mimetype="application/json"
        )
    return json_response(err.body(), err.status, err.headers)


class _MatchRule(Rule):
    """A rule that matches requests and builds no URLs: werkzeug generates and compiles
    Python code for each rule's URL builder, a measurable share of a cold start that our
    routers (which never build URLs) need not pay."""

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        def build(*args: Any, **kwargs: Any) -> tuple[str, str]:
            raise NotImplementedError("function routers match requests; they build no URLs")

        return build


class Router:
    """The routes of one HTTP function. Each `route(...)` call is the whole declaration of a
    route (core/routes.py); the handler module is imported on the route's first request."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._map = Map(strict_slashes=False)
        self._routes: dict[str, Route] = {}
        self._targets: dict[str, Handler] = {}

    def route(
        self,
        method: str,
        path: str,
        handler: str,
        *,
        caller: str,
        summary: str,
        **spec: Any,
    ) -> Route:
        """Declare a route: `spec` is the rest of core.routes.Route (body, query, response,
        params, headers, ok, produces, limited, errors, args)."""
        r = Route(method, path, handler, caller, summary, **spec)
        endpoint = f"{method} {path}"
        if endpoint in self._routes:
            raise ValueError(f"{self.name}: {endpoint} is declared twice")
        self._map.add(_MatchRule(path, endpoint=endpoint, methods=[method]))
        self._routes[endpoint] = r
        return r

    def declared(self) -> list[Route]:
        """Every route as declared, in order (OpenAPI, README and tests read it)."""
        return list(self._routes.values())

    def routes(self) -> list[tuple[str, str]]:
        """(method, werkzeug rule) of every route, in order."""
        return [(r.method, r.path) for r in self._routes.values()]

    def _target(self, endpoint: str) -> Handler:
        fn = self._targets.get(endpoint)
        if fn is None:
            fn = self._targets[endpoint] = self._routes[endpoint].target()
        return fn

    def dispatch(self, request: flask.Request) -> flask.Response:
        with inflight.request():
            return self._cors_dispatch(request)

    def _cors_dispatch(self, request: flask.Request) -> flask.Response:
        origin = request.headers.get("Origin")
        if origin and origin in settings().console_origins:
            if request.method == "OPTIONS" and request.headers.get("Access-Control-Request-Method"):
                return cors(flask.Response(status=204), origin, preflight=True)
            return cors(self._dispatch(request), origin)
        return self._dispatch(request)

    def _dispatch(self, request: flask.Request) -> flask.Response:
        logs.configure(settings().log_level)
        logs.set_trace_from_headers(request.headers, settings().google_cloud_project)
        adapter = self._map.bind("local", path_info=request.path, url_scheme="http")
        try:
            endpoint, params = adapter.match(method=request.method)
            args = self._routes[endpoint].args
            result = self._target(endpoint)(request, **params, **args)
        except ApiError as err:
            if err.status >= 500:
                log.error("%s: %s", self.name, err.message)
            return error_response(err)
        except NotFound:
            return error_response(ApiError(404, "not_found", f"no route {request.path}"))
        except MethodNotAllowed as exc:
            allowed = ", ".join(sorted(exc.valid_methods or []))
            return error_response(
                ApiError(
                    405,
                    "method_not_allowed",
                    f"{request.method} not allowed; use {allowed}",
                    headers={"Allow": allowed},
                )
            )
        except Exception as exc:  # the last line of defence: log the stack, answer JSON
            if _is_validation_error(exc):
                return error_response(from_validation(exc))
            log.exception("%s: unhandled error on %s %s", self.name, request.method, request.path)
            return json_response({"error": {"code": "internal", "message": "internal error"}}, 500)
        if isinstance(result, flask.Response):
            return result
        if isinstance(result, tuple):
            body, status = result
            return json_response(body, status)
        return json_response(result)


# What the web console sends and reads across origins (ETag: its 1 s polling).
CORS_REQUEST_HEADERS = "Authorization, Content-Type, If-Match, If-None-Match"
CORS_EXPOSED_HEADERS = "ETag, Retry-After, Location"


def cors(response: flask.Response, origin: str, *, preflight: bool = False) -> flask.Response:
    """Let the console's origin (settings().console_origins, checked by the caller) read
    this answer. No cookies are involved: the console sends a Bearer token."""
    h = response.headers
    h["Access-Control-Allow-Origin"] = origin
    h.add("Vary", "Origin")
    h["Access-Control-Expose-Headers"] = CORS_EXPOSED_HEADERS
    if preflight:
        h["Access-Control-Allow-Methods"] = "GET, POST, PUT, PATCH, DELETE"
        h["Access-Control-Allow-Headers"] = CORS_REQUEST_HEADERS
        h["Access-Control-Max-Age"] = "600"
    return response


def conditional_json(request: flask.Request, body: Any, etag_of: Any = None) -> flask.Response:
    """A JSON answer with an ETag; 304 (no body) when the caller's If-None-Match has it.
    `etag_of` is what the tag covers (default: the body), so values that change every
    second (running clocks) need not defeat the caller's cache."""
    import hashlib

    digest = hashlib.sha256(
        json.dumps(body if etag_of is None else etag_of, default=str, sort_keys=True).encode()
    ).hexdigest()[:32]
    tag = f'W/"{digest}"'
    sent = [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]
    headers = {"ETag": tag, "Cache-Control": "private, no-cache"}
    if tag in sent or digest in [t.removeprefix("W/").strip('"') for t in sent]:
        return flask.Response(status=304, headers=headers)
    return json_response(body, 200, headers)


class LazyModule:
    """A capability's handler module, imported on the first request that calls into it: a
    new instance pays at its first answer only for the modules that answer needs.

    `mod.fn` is a stand-in that imports the module and calls the real `fn`; route tables
    keep their usual shape (`router.route(...)(mod.fn)`, `lambda request: mod.fn(...)`).
    An UPPER_CASE name is a constant: reading it imports the module and gives the value.
    """

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: Any = None

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        if attr.isupper():  # a constant, not a handler: the real value (imports the module)
            return getattr(self._load(), attr)

        def call(*args: Any, **kwargs: Any) -> Any:
            return getattr(self._load(), attr)(*args, **kwargs)

        call.__name__ = attr
        call.__qualname__ = f"{self._name}.{attr}"
        return call

    def _load(self) -> Any:
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return self._module


def lazy_modules(package: str, *names: str) -> Any:
    """`a, b = lazy_modules("pkg", "a", "b")` in place of `from pkg import a, b`."""
    mods = tuple(LazyModule(f"{package}.{n}") for n in names)
    return mods if len(mods) > 1 else mods[0]


def _is_validation_error(exc: Exception) -> TypeGuard[ValidationError]:
    """A pydantic ValidationError, without importing pydantic where no route needs it (if it
    was never imported, nothing raised one)."""
    core = sys.modules.get("pydantic_core")
    return core is not None and isinstance(exc, core.ValidationError)


def read_json(request: flask.Request) -> dict[str, Any]:
    if request.mimetype != "application/json":
        raise ApiError(
            415, "unsupported_media_type", "send Content-Type: application/json", field="body"
        )
    try:
        raw = request.get_data(cache=True)
        data = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        raise bad_request("body", "not valid JSON") from None
    if not isinstance(data, dict):
        raise bad_request("body", "must be a JSON object")
    if b"\\u" in raw:  # an escaped lone surrogate is valid JSON but not storable text
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise bad_request("body", "contains an unpaired UTF-16 surrogate") from None
    return data


def parse_body(request: flask.Request, model: type[M]) -> M:
    """Validate the JSON body against a model (models forbid unknown fields)."""
    from pydantic import ValidationError

    try:
        return model.model_validate(read_json(request))
    except ValidationError as exc:
        raise from_validation(exc) from None


def parse_query(request: flask.Request, model: type[M]) -> M:
    from pydantic import ValidationError

    try:
        return model.model_validate(request.args.to_dict())
    except ValidationError as exc:
        raise from_validation(exc, prefix="query") from None


def read_capped(request: flask.Request, limit: int) -> bytes | None:
    """The raw body, or None as soon as it proves longer than `limit`.

    Reads at most limit + 1 bytes whether or not the client sent Content-Length (a
    chunked upload has none), so an oversized body is refused before the rest arrives.
    """
    if request.content_length is not None and request.content_length > limit:
        return None
    buf = bytearray()
    while len(buf) <= limit:
        chunk = request.stream.read(min(64 * 1024, limit + 1 - len(buf)))
        if not chunk:
            break
        buf += chunk
    return None if len(buf) > limit else bytes(buf)


def client_address(request: flask.Request) -> str:
    """The caller's address, for per-address limits: IPv4 as is, IPv6 as its /64 (one
    subscriber usually holds a whole /64, so single addresses would be free to rotate).

    Behind Google's front end the request carries X-Forwarded-For; anything a client puts
    there itself comes first and is never trusted. Each trusted proxy appends one entry
    (Cloud Run's front end appends the address it accepted the connection from), so the
    client is the entry `TRUSTED_PROXY_HOPS` from the end: 1 for Cloud Run / Cloud
    Functions alone, 2 behind an external Application Load Balancer (it appends the
    client and then its own address). Fewer entries than that (no proxy: the local
    suite) or an unparsable one falls back to the peer address of the connection.
    """
    import ipaddress

    hops = settings().trusted_proxy_hops
    chain = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",")]
    chain = [h for h in chain if h]
    candidates = [chain[-hops]] if hops > 0 and len(chain) >= hops else []
    candidates.append(request.remote_addr or "")
    for raw in candidates:
        try:
            ip = ipaddress.ip_address(raw)
        except ValueError:
            continue
        if ip.version == 6 and ip.ipv4_mapped is None:
            return str(ipaddress.ip_network(f"{ip}/64", strict=False))
        return str(ip.ipv4_mapped if ip.version == 6 and ip.ipv4_mapped else ip)
    return "unknown"


def form_params(request: flask.Request) -> dict[str, str]:
    """Carrier webhooks are form-encoded; a repeated key keeps its first value."""
    return {k: v for k, v in request.form.items()}


logging.getLogger("werkzeug").setLevel(logging.WARNING)
