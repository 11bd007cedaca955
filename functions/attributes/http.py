"""Routes of the attributes_http function: the Apps API's customer flags, SIP calls with
attributes, the Dialogflow CX webhook, anonymous visitors and signed session data.

Each `route(...)` is the whole declaration of a route (core/routes.py): the OpenAPI
description, the README route table and the authorization matrix are generated from it.
Handler modules load on their route's first request: the CRM and carrier clients behind
them are a third of a second of imports a cold start need not pay for every route.
"""

from __future__ import annotations

import flask

from core.http import Router
from core.routes import FORM, TWIML

router = Router("attributes_http")
route = router.route

route(
    "GET",
    "/apps/api/v1/<collection>/<session_id>/customer_flag",
    "attributes.apps_api:get_flag",
    caller="apps",
    summary="Read the customer flags of a call or chat",
    limited="Apps API calls per customer, a second",
    response="attributes.responses:FlagAnswer",
)
route(
    "PATCH",
    "/apps/api/v1/<collection>/<session_id>/customer_flag",
    "attributes.apps_api:patch_flag",
    caller="apps",
    summary="Set customer flags on a call or chat",
    body="attributes.apps_api:CustomerFlagPatch",
    headers=("Idempotency-Key",),
    limited="Apps API calls per customer, a second",
    response="attributes.responses:FlagAnswer",
)
route(
    "POST",
    "/twilio/sip/inbound",
    "attributes.sip_calls:inbound",
    caller="twilio",
    summary="SIP call in: attributes from headers",
    body=FORM,
    params=("queue_id", "next"),
    produces=TWIML,
)
route(
    "POST",
    "/twilio/sip/redirect",
    "attributes.sip_calls:redirect",
    caller="twilio",
    summary="SIP redirect with data parameters",
    body=FORM,
    produces=TWIML,
)
route(
    "POST",
    "/dialogflow/cx/webhook",
    "attributes.virtual_agent:webhook",
    caller="cx",
    summary="Virtual agent webhook",
    body="attributes.virtual_agent:WebhookRequest",
    response="attributes.responses:CxWebhookAnswer",
)
route(
    "POST",
    "/sdk/visitors",
    "attributes.visitors:register",
    caller="public",
    summary="Register an anonymous visitor",
    body="attributes.visitors:Register",
    ok=(200, 201),
    limited="new visitor ids per client address, a minute",
    response="attributes.responses:Visitor",
)
route(
    "POST",
    "/sdk/visitors/merge",
    "attributes.visitors:merge",
    caller="sdk",
    summary="Merge a visitor into the signed-in user",
    body="attributes.visitors:Merge",
    response="attributes.responses:MergeAnswer",
)
route(
    "POST",
    "/sdk/sessions/<session_id>/custom_data",
    "attributes.sdk_session_data:post",
    caller="sdk",
    summary="Reserved attributes (signed custom data) during a call or chat",
    body="attributes.sdk_session_data:SessionCustomData",
    response="attributes.responses:SessionData",
)


def handle(request: flask.Request) -> flask.Response:
    return router.dispatch(request)
