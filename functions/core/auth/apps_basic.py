"""Customer back office ("Apps API"): HTTP Basic, subdomain / API token."""

from __future__ import annotations

import hmac

import flask

from core.errors import unauthorized
from core.settings import settings

CHALLENGE = 'Basic realm="apps-api"'


def verify_apps_api(request: flask.Request) -> str:
    """Return the company subdomain when the credentials are right, else 401."""
    auth = request.authorization
    if auth is None or auth.type != "basic" or auth.username is None:
        raise unauthorized(
            "send HTTP Basic credentials: subdomain and API token", challenge=CHALLENGE
        )
    s = settings()
    user_ok = hmac.compare_digest(auth.username.encode(), s.company_subdomain.encode())
    token = (auth.password or "").encode()
    # Compare against every token so timing does not reveal which one matched.
    token_ok = False
    for candidate in s.apps_api_token_list:
        token_ok |= hmac.compare_digest(token, candidate.encode())
    if not (user_ok and token_ok):
        raise unauthorized("wrong subdomain or API token", challenge=CHALLENGE)
    return s.company_subdomain
