"""Entry points for Cloud Functions (2nd gen): one source tree, several functions.

Each wrapper imports its handler on first call, so a function pays at cold start only for
the modules it uses. The list of entry points lives in core/entrypoints.py.
"""

from __future__ import annotations

import importlib
from typing import Any

import functions_framework


def _handle(module: str) -> Any:
    return importlib.import_module(module).handle


@functions_framework.http
def sessions_http(request: Any) -> Any:
    return _handle("sessions.http")(request)


@functions_framework.cloud_event
def sessions_outbox(event: Any) -> None:
    _handle("sessions.outbox")(event)


@functions_framework.http
def deflection_http(request: Any) -> Any:
    return _handle("deflection.http")(request)


@functions_framework.cloud_event
def deflection_voicemail_delivery(event: Any) -> None:
    _handle("deflection.voicemail_delivery")(event)


@functions_framework.http
def recordings_http(request: Any) -> Any:
    return _handle("recordings.http")(request)


@functions_framework.cloud_event
def recordings_sweeper(event: Any) -> None:
    _handle("recordings.sweeper")(event)


@functions_framework.http
def monitoring_http(request: Any) -> Any:
    return _handle("monitoring.http")(request)


@functions_framework.cloud_event
def monitoring_sweeper(event: Any) -> None:
    _handle("monitoring.sweeper")(event)


@functions_framework.http
def attributes_http(request: Any) -> Any:
    return _handle("attributes.http")(request)


@functions_framework.http
def notifications_http(request: Any) -> Any:
    return _handle("notifications.http")(request)


@functions_framework.cloud_event
def notifications_on_event(event: Any) -> None:
    _handle("notifications.on_event")(event)


@functions_framework.http
def smartactions_http(request: Any) -> Any:
    return _handle("smartactions.http")(request)


@functions_framework.http
def settings_http(request: Any) -> Any:
    return _handle("settings.http")(request)
