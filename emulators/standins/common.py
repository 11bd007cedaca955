"""Shared plumbing for the SaaS stand-ins: lifecycle, fault injection, clock, streamed I/O.

Every stand-in is a Flask app served by werkzeug in a thread. The pieces here are what
all of them need so that each server module only describes its vendor's wire format.
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import json
import os
import random
import shutil
import socket
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import wraps
from pathlib import Path
from typing import IO, Any, ParamSpec, TypeVar

from flask import Flask, Response, current_app, g, jsonify, request
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

CHUNK = 1024 * 1024
"""Bytes read or written per step when streaming bodies: small enough to keep RSS flat."""

P = ParamSpec("P")
R = TypeVar("R")


# --------------------------------------------------------------------------- lifecycle


class _QuietHandler(WSGIRequestHandler):
    """Request handler without per-request access logs (tests start many servers)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


class ServerHandle:
    """A stand-in running on a background thread; `stop()` shuts it down and cleans up."""

    def __init__(self, app: Flask, server: BaseWSGIServer, thread: threading.Thread) -> None:
        self.app = app
        self._server = server
        self._thread = thread
        self.host: str = str(server.server_address[0])
        self.port: int = int(server.server_address[1])
        self.url = f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        """Stop serving, join the thread and delete temp files."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        if "standin" in self.app.extensions:
            standin_of(self.app).close()

    def __enter__(self) -> ServerHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"ServerHandle({self.url})"


def serve_app(app: Flask, port: int = 0, host: str = "127.0.0.1") -> ServerHandle:
    """Start `app` on host:port (0 = any free port) in a daemon thread."""
    server = make_server(host, port, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.name = f"standin-{app.name}-{server.server_address[1]}"
    thread.start()
    return ServerHandle(app, server, thread)


def run_main(
    name: str,
    create_app: Callable[..., Flask],
    default_port: int,
    argv: list[str] | None = None,
    add_args: Callable[[argparse.ArgumentParser], None] | None = None,
    config_from_args: Callable[[argparse.Namespace], dict[str, Any]] | None = None,
) -> None:
    """Foreground entry point shared by `python -m emulators.standins.<name>`."""
    parser = argparse.ArgumentParser(prog=f"python -m emulators.standins.{name}")
    parser.add_argument("--port", type=int, default=default_port, help="0 = any free port")
    parser.add_argument("--host", default="127.0.0.1")
    if add_args:
        add_args(parser)
    args = parser.parse_args(argv)
    config = config_from_args(args) if config_from_args else {}
    app = create_app(**config)
    server = make_server(args.host, args.port, app, threaded=True)
    host, port = server.server_address[0], server.server_address[1]
    print(f"ready http://{host}:{port}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        standin_of(app).close()


def env(name: str, default: str) -> str:
    """Read a credential from the environment with a local-dev default."""
    value = os.environ.get(name)
    return value if value else default


# --------------------------------------------------------------------------- clock


class Clock:
    """Wall clock plus a test-controlled offset, so expiry can be tested without sleeping."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=self.offset)

    def timestamp(self) -> float:
        return time.time() + self.offset


def iso_z(dt: datetime) -> str:
    """ISO-8601 UTC with a Z suffix, as Zendesk and Salesforce print timestamps."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------- faults


FAULT_KINDS = {"status", "rate_limit", "delay", "drop_ack"}


@dataclass
class Fault:
    """One injected misbehaviour for one request."""

    kind: str
    status: int | None = None
    retry_after: float | None = None
    seconds: float = 0.0
    when: str = "before"
    mode: str = "status"
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    source: str = "queue"

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "source": self.source}
        if self.status is not None:
            out["status"] = self.status
        if self.retry_after is not None:
            out["retry_after"] = self.retry_after
        if self.kind == "delay":
            out["seconds"] = self.seconds
            out["when"] = self.when
        if self.kind == "drop_ack":
            out["mode"] = self.mode
        return out


class FaultSpecError(ValueError):
    """Bad fault specification sent to /_control/faults."""


def _parse_fault(spec: Any, source: str = "queue") -> Fault:
    if not isinstance(spec, dict):
        raise FaultSpecError("each fault must be an object")
    kind = spec.get("kind")
    if kind not in FAULT_KINDS:
        raise FaultSpecError(f"fault kind must be one of {sorted(FAULT_KINDS)}, got {kind!r}")
    fault = Fault(kind=kind, source=source)
    if kind == "status":
        status = spec.get("status")
        if not isinstance(status, int) or not 400 <= status <= 599:
            raise FaultSpecError("status fault needs an integer 'status' in 400..599")
        fault.status = status
    if kind == "drop_ack":
        fault.status = int(spec.get("status", 500))
        fault.mode = str(spec.get("mode", "status"))
        if fault.mode not in ("status", "disconnect"):
            raise FaultSpecError("drop_ack mode must be 'status' or 'disconnect'")
    if kind == "delay":
        seconds = spec.get("seconds")
        if not isinstance(seconds, int | float) or seconds < 0:
            raise FaultSpecError("delay fault needs a non-negative 'seconds'")
        fault.seconds = float(seconds)
        fault.when = str(spec.get("when", "before"))
        if fault.when not in ("before", "after"):
            raise FaultSpecError("delay 'when' must be 'before' or 'after'")
    if "retry_after" in spec and spec["retry_after"] is not None:
        if not isinstance(spec["retry_after"], int | float):
            raise FaultSpecError("retry_after must be a number of seconds")
        fault.retry_after = spec["retry_after"]
    if "body" in spec:
        fault.body = spec["body"]
    if "headers" in spec:
        if not isinstance(spec["headers"], dict):
            raise FaultSpecError("headers must be an object")
        fault.headers = {str(k): str(v) for k, v in spec["headers"].items()}
    return fault


@dataclass
class _RandomSpec:
    p_5xx: float
    p_429: float
    p_429_retry_after: float
    p_drop_ack: float
    retry_after: float
    rng: random.Random


@dataclass
class _Rule:
    route: str
    method: str | None
    queue: deque[Fault] = field(default_factory=deque)
    random: _RandomSpec | None = None

    def matches(self, route: str, method: str, path: str) -> bool:
        if self.method and self.method.upper() != method.upper():
            return False
        pattern = self.route.lower()
        return (
            pattern == "*"
            or fnmatch.fnmatchcase(route.lower(), pattern)
            or (pattern.startswith("/") and fnmatch.fnmatchcase(path.lower(), pattern))
        )


class FaultInjector:
    """Queued and random faults per route; thread-safe; consumed one per matching request.

    A rule's `route` is matched (case-insensitive glob) against the route name a view
    declares (e.g. "uploads") or, if it starts with "/", against the request path.
    """

    def __init__(self, limit_status: int = 429) -> None:
        self.limit_status = limit_status
        self._lock = threading.Lock()
        self._rules: list[_Rule] = []
        self.log: list[dict[str, Any]] = []

    def reset(self) -> None:
        with self._lock:
            self._rules.clear()
            self.log.clear()

    def add(self, spec: Any) -> dict[str, Any]:
        """Add the faults/random config of one /_control/faults body."""
        if not isinstance(spec, dict) or not isinstance(spec.get("route"), str):
            raise FaultSpecError("body must be an object with a 'route' string")
        method = spec.get("method")
        faults_spec = spec.get("faults", [])
        if not isinstance(faults_spec, list):
            raise FaultSpecError("'faults' must be a list")
        faults: list[Fault] = []
        for item in faults_spec:
            _parse_fault(item)
            repeat = item.get("repeat", 1)
            if not isinstance(repeat, int) or repeat < 1:
                raise FaultSpecError("'repeat' must be a positive integer")
            faults.extend(_parse_fault(item) for _ in range(repeat))
        rnd: _RandomSpec | None = None
        if spec.get("random") is not None:
            r = spec["random"]
            if not isinstance(r, dict):
                raise FaultSpecError("'random' must be an object")
            try:
                rnd = _RandomSpec(
                    p_5xx=float(r.get("p_5xx", 0)),
                    p_429=float(r.get("p_429", 0)),
                    p_429_retry_after=float(r.get("p_429_retry_after", 0)),
                    p_drop_ack=float(r.get("p_drop_ack", 0)),
                    retry_after=float(r.get("retry_after", 1)),
                    rng=random.Random(r.get("seed")),
                )
            except (TypeError, ValueError) as exc:
                raise FaultSpecError(f"bad random spec: {exc}") from exc
            if rnd.p_5xx + rnd.p_429 + rnd.p_drop_ack > 1:
                raise FaultSpecError("p_5xx + p_429 + p_drop_ack must not exceed 1")
        with self._lock:
            rule = next(
                (r for r in self._rules if r.route == spec["route"] and r.method == method),
                None,
            )
            if rule is None:
                rule = _Rule(route=spec["route"], method=method)
                self._rules.append(rule)
            rule.queue.extend(faults)
            if "random" in spec:
                rule.random = rnd
            return {"route": rule.route, "method": rule.method, "queued": len(rule.queue)}

    def clear(self, route: str | None = None) -> None:
        with self._lock:
            self._rules = [r for r in self._rules if route is not None and r.route != route]

    def take(self, route: str, method: str, path: str) -> Fault | None:
        """The fault for this request, if any (queued faults first, then random ones)."""
        with self._lock:
            matching = [r for r in self._rules if r.matches(route, method, path)]
            fault: Fault | None = None
            for rule in matching:
                if rule.queue:
                    fault = rule.queue.popleft()
                    break
            if fault is None:
                for rule in matching:
                    if rule.random is not None:
                        fault = self._roll(rule.random)
                        if fault is not None:
                            break
            if fault is not None:
                self.log.append(
                    {"route": route, "method": method, "path": path, **fault.describe()}
                )
            return fault

    def _roll(self, spec: _RandomSpec) -> Fault | None:
        x = spec.rng.random()
        if x < spec.p_5xx:
            return Fault(kind="status", status=spec.rng.choice([500, 502, 503]), source="random")
        x -= spec.p_5xx
        if x < spec.p_429:
            with_header = spec.rng.random() < spec.p_429_retry_after
            return Fault(
                kind="rate_limit",
                status=self.limit_status,
                retry_after=spec.retry_after if with_header else None,
                source="random",
            )
        x -= spec.p_429
        if x < spec.p_drop_ack:
            return Fault(kind="drop_ack", status=500, source="random")
        return None

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "rules": [
                    {
                        "route": r.route,
                        "method": r.method,
                        "queued": [f.describe() for f in r.queue],
                        "random": None
                        if r.random is None
                        else {
                            "p_5xx": r.random.p_5xx,
                            "p_429": r.random.p_429,
                            "p_429_retry_after": r.random.p_429_retry_after,
                            "p_drop_ack": r.random.p_drop_ack,
                        },
                    }
                    for r in self._rules
                ],
                "injected": list(self.log),
            }


# --------------------------------------------------------------------------- blobs


@dataclass
class StoredBlob:
    """A body saved to disk while hashing it, so tests can assert byte identity."""

    path: Path
    size: int
    sha256: str
    md5: str


class BlobStore:
    """Temp directory for uploaded bodies; never holds a whole body in memory."""

    def __init__(
        self, root: str | os.PathLike[str] | None = None, prefix: str = "standin-"
    ) -> None:
        self._owned = root is None
        self.root = Path(root) if root else Path(tempfile.mkdtemp(prefix=prefix))
        self.root.mkdir(parents=True, exist_ok=True)
        self._counter = 0
        self._lock = threading.Lock()

    def _new_path(self) -> Path:
        with self._lock:
            self._counter += 1
            return self.root / f"blob-{self._counter:08d}-{os.urandom(4).hex()}"

    def writer(self) -> BlobWriter:
        """A writer to feed chunks into; call `finish()` to get the StoredBlob."""
        return BlobWriter(self._new_path())

    def save_stream(self, stream: IO[bytes]) -> StoredBlob:
        """Copy a readable stream to disk in CHUNK-sized pieces."""
        w = self.writer()
        try:
            while True:
                chunk = stream.read(CHUNK)
                if not chunk:
                    break
                w.write(chunk)
        except BaseException:
            w.abort()
            raise
        return w.finish()

    def save_bytes(self, data: bytes) -> StoredBlob:
        w = self.writer()
        w.write(data)
        return w.finish()

    def clear(self) -> None:
        for child in self.root.glob("blob-*"):
            child.unlink(missing_ok=True)

    def close(self) -> None:
        if self._owned:
            shutil.rmtree(self.root, ignore_errors=True)
        else:
            self.clear()


class BlobWriter:
    """Incremental file writer with size, sha256 and md5 (Salesforce's Checksum)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fh = open(path, "wb")  # noqa: SIM115 - closed in finish/abort
        self._sha = hashlib.sha256()
        self._md5 = hashlib.md5()  # noqa: S324 - a checksum, not security
        self.size = 0

    def write(self, data: bytes) -> None:
        if data:
            self._fh.write(data)
            self._sha.update(data)
            self._md5.update(data)
            self.size += len(data)

    def finish(self) -> StoredBlob:
        self._fh.close()
        return StoredBlob(self.path, self.size, self._sha.hexdigest(), self._md5.hexdigest())

    def abort(self) -> None:
        self._fh.close()
        self.path.unlink(missing_ok=True)


def drain_request_body() -> None:
    """Read and discard an unread request body so the client can read our answer."""
    stream = request.stream
    try:
        while stream.read(CHUNK):
            pass
    except (OSError, ValueError):
        pass


# --------------------------------------------------------------------------- ranges


def ranged_response(
    total: int,
    produce: Callable[[int, int], Iterator[bytes]],
    content_type: str,
    headers: dict[str, str] | None = None,
) -> Response:
    """Stream `produce(start, stop)` with Content-Length and single-range support."""
    extra = dict(headers or {})
    extra["Accept-Ranges"] = "bytes"
    start, stop, status = 0, total, 200
    if request.range is not None:
        rng = request.range.range_for_length(total)
        if rng is None:
            extra["Content-Range"] = f"bytes */{total}"
            return Response(b"", status=416, headers=extra)
        start, stop = rng
        status = 206
        extra["Content-Range"] = f"bytes {start}-{stop - 1}/{total}"
    extra["Content-Length"] = str(stop - start)
    body: Iterable[bytes] = produce(start, stop) if stop > start else iter(())
    resp = Response(body, status=status, headers=extra, content_type=content_type)
    resp.direct_passthrough = True
    return resp


def file_producer(path: Path) -> Callable[[int, int], Iterator[bytes]]:
    """Producer reading [start, stop) of a file in CHUNK pieces."""

    def produce(start: int, stop: int) -> Iterator[bytes]:
        with open(path, "rb") as fh:
            fh.seek(start)
            left = stop - start
            while left > 0:
                data = fh.read(min(CHUNK, left))
                if not data:
                    break
                left -= len(data)
                yield data

    return produce


# --------------------------------------------------------------------------- the app glue


ErrorFactory = Callable[[int, Fault | None], Response]


class Standin:
    """Per-app shared state: lock, clock, faults, request log, blobs, reset hooks."""

    def __init__(self, app: Flask, error_factory: ErrorFactory, limit_status: int = 429) -> None:
        self.app = app
        self.lock = threading.RLock()
        self.clock = Clock()
        self.faults = FaultInjector(limit_status=limit_status)
        self.error_factory = error_factory
        self.requests: deque[dict[str, Any]] = deque(maxlen=20000)
        self._seq = 0
        self.blobs = BlobStore(prefix=f"standin-{app.name}-")
        self._reset_hooks: list[Callable[[], None]] = []
        self._close_hooks: list[Callable[[], None]] = []

    def on_reset(self, hook: Callable[[], None]) -> None:
        self._reset_hooks.append(hook)

    def on_close(self, hook: Callable[[], None]) -> None:
        self._close_hooks.append(hook)

    def reset(self) -> None:
        with self.lock:
            self.faults.reset()
            self.requests.clear()
            self.clock.offset = 0.0
            self.blobs.clear()
            for hook in self._reset_hooks:
                hook()

    def close(self) -> None:
        for hook in self._close_hooks:
            hook()
        self.blobs.close()


def standin_of(app: Flask) -> Standin:
    return app.extensions["standin"]


def json_error(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    resp = Response(json.dumps(body), status=status, content_type="application/json")
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


def custom_error(status: int, fault: Fault) -> Response:
    """A fault answer with a test-supplied body (JSON for dicts/lists, text otherwise)."""
    headers = retry_after_headers(fault)
    if isinstance(fault.body, dict | list):
        return json_error(status, fault.body, headers)
    return Response(str(fault.body), status=status, headers=headers, content_type="text/plain")


def retry_after_headers(fault: Fault | None) -> dict[str, str]:
    if fault is None:
        return {}
    out = dict(fault.headers)
    if fault.retry_after is not None:
        ra = fault.retry_after
        out["Retry-After"] = str(int(ra)) if float(ra).is_integer() else str(ra)
    return out


def install(app: Flask, error_factory: ErrorFactory, limit_status: int = 429) -> Standin:
    """Attach shared state, request logging and the common /_control routes to `app`."""
    st = Standin(app, error_factory, limit_status)
    app.extensions["standin"] = st

    @app.after_request
    def _log(resp: Response) -> Response:
        if request.path.startswith("/_control"):
            return resp
        with st.lock:
            st._seq += 1
            st.requests.append(
                {
                    "seq": st._seq,
                    "method": request.method,
                    "path": request.path,
                    "query": request.query_string.decode("latin-1"),
                    "range": request.headers.get("Range"),
                    "route": g.get("standin_route"),
                    "status": resp.status_code,
                    "fault": g.get("standin_fault"),
                }
            )
        return resp

    @app.post("/_control/faults")
    def _add_faults() -> Response:
        body = request.get_json(silent=True)
        specs = body if isinstance(body, list) else [body]
        try:
            out = [st.faults.add(s) for s in specs]
        except FaultSpecError as exc:
            return json_error(400, {"error": str(exc)})
        return jsonify({"rules": out})

    @app.get("/_control/faults")
    def _get_faults() -> Response:
        return jsonify(st.faults.snapshot())

    @app.delete("/_control/faults")
    def _clear_faults() -> Response:
        st.faults.clear(request.args.get("route"))
        return jsonify({"ok": True})

    @app.post("/_control/reset")
    def _reset() -> Response:
        st.reset()
        return jsonify({"ok": True})

    @app.get("/_control/requests")
    def _requests() -> Response:
        with st.lock:
            return jsonify({"requests": list(st.requests)})

    @app.post("/_control/clock")
    def _clock() -> Response:
        body = request.get_json(silent=True) or {}
        offset = body.get("offset_seconds")
        advance = body.get("advance_seconds")
        if offset is None and advance is None:
            return json_error(400, {"error": "give offset_seconds or advance_seconds"})
        with st.lock:
            if offset is not None:
                st.clock.offset = float(offset)
            if advance is not None:
                st.clock.offset += float(advance)
            return jsonify({"offset_seconds": st.clock.offset, "now": iso_z(st.clock.now())})

    @app.get("/_control/clock")
    def _get_clock() -> Response:
        return jsonify({"offset_seconds": st.clock.offset, "now": iso_z(st.clock.now())})

    @app.get("/_control/health")
    def _health() -> Response:
        return jsonify({"ok": True, "service": app.name})

    return st


def _disconnect() -> None:
    """Close the client connection without an answer (the client sees a dropped socket)."""
    sock = request.environ.get("werkzeug.socket")
    if isinstance(sock, socket.socket):
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def faultable(route: str) -> Callable[[Callable[P, R]], Callable[P, R | Response]]:
    """Decorate a view so queued/random faults for `route` apply to it."""

    def deco(view: Callable[P, R]) -> Callable[P, R | Response]:
        @wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | Response:
            st = standin_of(current_app)
            g.standin_route = route
            fault = st.faults.take(route, request.method, request.path)
            if fault is None:
                return view(*args, **kwargs)
            g.standin_fault = fault.describe()
            if fault.kind == "delay":
                if fault.when == "before":
                    time.sleep(fault.seconds)
                    return view(*args, **kwargs)
                result = view(*args, **kwargs)
                time.sleep(fault.seconds)
                return result
            if fault.kind in ("status", "rate_limit"):
                drain_request_body()
                status = fault.status or st.faults.limit_status
                if fault.body is not None:
                    return custom_error(status, fault)
                return st.error_factory(status, fault)
            # drop_ack: the operation happens, the acknowledgement is lost.
            result = view(*args, **kwargs)
            resp = current_app.make_response(result)  # type: ignore[arg-type]
            resp.close()
            drain_request_body()
            if fault.mode == "disconnect":
                _disconnect()
            return st.error_factory(fault.status or 500, fault)

        return wrapper

    return deco
