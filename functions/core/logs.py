"""Structured JSON logs on stdout that Cloud Logging understands.

`severity`, `message`, and the trace id as `logging.googleapis.com/trace` so the lines of
one request group together in the console.
"""

from __future__ import annotations

import contextvars
import json
import logging
import sys
import time
from typing import Any

_trace: contextvars.ContextVar[str | None] = contextvars.ContextVar("trace", default=None)
_configured = False


def set_trace_from_headers(headers: Any, project: str) -> None:
    """Accept X-Cloud-Trace-Context (TRACE/SPAN;o=1) or W3C traceparent."""
    trace_id = None
    legacy = headers.get("X-Cloud-Trace-Context")
    if legacy:
        trace_id = legacy.split("/")[0]
    else:
        parent = headers.get("traceparent")
        if parent and parent.count("-") >= 3:
            trace_id = parent.split("-")[1]
    _trace.set(f"projects/{project}/traces/{trace_id}" if trace_id else None)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "severity": record.levelname if record.levelname != "WARNING" else "WARNING",
            "message": record.getMessage(),
            "logger": record.name,
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
        }
        trace = _trace.get()
        if trace:
            entry["logging.googleapis.com/trace"] = trace
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["stack_trace"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure(level: str = "INFO") -> None:
    global _configured
    if _configured:
        return
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("urllib3", "google", "grpc", "werkzeug", "twilio"):
        logging.getLogger(noisy).setLevel("WARNING")
    _configured = True


def get(name: str) -> logging.Logger:
    return logging.getLogger(name)


def event(logger: logging.Logger, message: str, level: int = logging.INFO, **fields: Any) -> None:
    """Log a message with structured fields (they become jsonPayload keys)."""
    logger.log(level, message, extra={"fields": fields})
