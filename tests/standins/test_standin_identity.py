"""The IAM stand-in's Identity Platform and metadata server, served on a real port: ID
tokens that google-auth verifies as it verifies Google's, the accounts:lookup the
functions make before a write (credentials required), and the metadata server's ping,
account and token routes that google-auth's Application Default Credentials use."""

from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import quote

import pytest
import requests

from emulators.signin import DEMO_PASSWORD, AuthError, IdentityStandIn
from emulators.standins import iam_server
from emulators.standins.common import ServerHandle
from emulators.standins.identity_toolkit import CERTS_PATH

PROJECT = "demo-standin"
FLAVOR = {"Metadata-Flavor": "Google"}
ACCOUNT = f"fn-x@{PROJECT}.iam.gserviceaccount.com"


@pytest.fixture
def iam() -> Iterator[ServerHandle]:
    handle = iam_server.serve(0)
    yield handle
    handle.stop()


def _verify(iam: ServerHandle, token: str, audience: str = PROJECT) -> dict:
    from google.auth.transport.requests import Request
    from google.oauth2 import id_token

    return id_token.verify_token(
        token, Request(), audience=audience, certs_url=iam.url + CERTS_PATH
    )


def _access_token(iam: ServerHandle) -> str:
    meta = f"{iam.url}/sa/{quote(ACCOUNT, safe='')}/computeMetadata/v1"
    r = requests.get(f"{meta}/instance/service-accounts/default/token", headers=FLAVOR, timeout=5)
    assert r.status_code == 200 and r.headers["Metadata-Flavor"] == "Google"
    return str(r.json()["access_token"])


def _lookup(iam: ServerHandle, uid: str, token: str | None) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.post(
        f"{iam.url}/v1/projects/{PROJECT}/accounts:lookup",
        json={"localId": [uid]},
        headers=headers,
        timeout=5,
    )


def test_sign_in_gives_a_securetoken_shaped_token_google_auth_verifies(iam: ServerHandle) -> None:
    people = IdentityStandIn(iam.url, PROJECT)
    uid = people.create_user("ana@example.com", DEMO_PASSWORD, name="Ana")
    claims = _verify(iam, people.id_token("ana@example.com"))
    assert claims["iss"] == f"https://securetoken.google.com/{PROJECT}"
    assert claims["sub"] == uid and claims["email"] == "ana@example.com"
    assert claims["email_verified"] is True and claims["auth_time"] <= time.time()
    assert claims["firebase"]["sign_in_provider"] == "password"
    assert "sign_in_second_factor" not in claims["firebase"]
    mfa = _verify(iam, people.id_token_with_factor("ana@example.com", "totp"))
    assert mfa["firebase"]["sign_in_second_factor"] == "totp"
    with pytest.raises(ValueError, match="audience"):
        _verify(iam, people.id_token("ana@example.com"), audience="another-project")
    with pytest.raises(AuthError, match="INVALID_PASSWORD"):
        people.id_token("ana@example.com", "wrong")
    with pytest.raises(AuthError, match="EMAIL_EXISTS"):
        people.create_user("ana@example.com", DEMO_PASSWORD)


def test_lookup_needs_an_access_token_and_reports_revocation_and_disabling(
    iam: ServerHandle,
) -> None:
    people = IdentityStandIn(iam.url, PROJECT)
    uid = people.create_user("bo@example.com", DEMO_PASSWORD)
    assert _lookup(iam, uid, None).status_code == 401
    assert _lookup(iam, uid, "ya29.not-issued-here").status_code == 401
    token = _access_token(iam)
    (user,) = _lookup(iam, uid, token).json()["users"]
    assert user["localId"] == uid and user["disabled"] is False and "validSince" not in user
    revoked_at = time.time()
    people.revoke(uid)
    people.disable(uid)
    (user,) = _lookup(iam, uid, token).json()["users"]
    # Past the revocation's second: a token issued in that second is revoked too.
    assert user["disabled"] is True and int(user["validSince"]) > revoked_at
    with pytest.raises(AuthError, match="USER_DISABLED"):
        people.id_token("bo@example.com")
    people.clear()
    assert "users" not in _lookup(iam, uid, token).json()


def test_metadata_server_answers_as_google_auth_expects(iam: ServerHandle) -> None:
    assert requests.get(iam.url + "/", timeout=5).status_code == 403  # no flavor header
    ping = requests.get(iam.url + "/", headers=FLAVOR, timeout=5)
    assert ping.status_code == 200 and ping.headers["Metadata-Flavor"] == "Google"
    meta = f"{iam.url}/sa/{quote(ACCOUNT, safe='')}/computeMetadata/v1"
    info = requests.get(
        f"{meta}/instance/service-accounts/default/?recursive=true", headers=FLAVOR, timeout=5
    ).json()
    assert info["email"] == ACCOUNT
    assert requests.get(f"{meta}/project/project-id", headers=FLAVOR, timeout=5).text == PROJECT
    other = f"{meta}/instance/service-accounts/someone-else@x.iam.gserviceaccount.com/token"
    assert requests.get(other, headers=FLAVOR, timeout=5).status_code == 404
