"""Routes of the attributes_http function."""

from __future__ import annotations

import flask

from core.http import Router

router = Router("attributes_http")


def _apps(method: str):  # noqa: ANN202 - tiny route adapters
    def handler(request: flask.Request, collection: str, session_id: str):  # noqa: ANN202
        from attributes import apps_api

        fn = apps_api.get_flag if method == "GET" else apps_api.patch_flag
        return fn(request, collection, session_id)

    return handler


router.route("/apps/api/v1/<collection>/<session_id>/customer_flag", ["GET"])(_apps("GET"))
router.route("/apps/api/v1/<collection>/<session_id>/customer_flag", ["PATCH"])(_apps("PATCH"))


@router.route("/twilio/sip/inbound", ["POST"])
def _sip_inbound(request: flask.Request) -> flask.Response:
    from attributes import sip_calls

    return sip_calls.inbound(request)


@router.route("/twilio/sip/redirect", ["POST"])
def _sip_redirect(request: flask.Request) -> flask.Response:
    from attributes import sip_calls

    return sip_calls.redirect(request)


@router.route("/dialogflow/cx/webhook", ["POST"])
def _cx(request: flask.Request) -> dict:
    from attributes import virtual_agent

    return virtual_agent.webhook(request)


@router.route("/sdk/visitors", ["POST"])
def _register(request: flask.Request) -> tuple[dict, int]:
    from attributes import visitors

    return visitors.register(request)


@router.route("/sdk/visitors/merge", ["POST"])
def _merge(request: flask.Request) -> dict:
    from attributes import visitors

    return visitors.merge(request)


@router.route("/sdk/sessions/<session_id>/custom_data", ["POST"])
def _session_custom_data(request: flask.Request, session_id: str) -> dict:
    from attributes import sdk_session_data

    return sdk_session_data.post(request, session_id)


def handle(request: flask.Request) -> flask.Response:
    return router.dispatch(request)
