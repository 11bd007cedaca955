"""The auth layer: SDK JWT, Apps API Basic auth, portal tokens -> roles/permissions."""

from __future__ import annotations

import base64
import time

import flask
import jwt
import pytest

from core.auth import apps_basic, portal, sdk_jwt
from core.errors import ApiError
from core.settings import settings


def request_with(headers: dict[str, str]) -> flask.Request:
    app = flask.Flask("t")
    with app.test_request_context("/", headers=headers):
        return flask.request._get_current_object()  # type: ignore[attr-defined]


def sdk(claims: dict, secret: str | None = None, alg: str = "HS256") -> str:
    return jwt.encode(claims, secret or settings().company_secret.get_secret_value(), algorithm=alg)


def bearer(token: str) -> flask.Request:
    return request_with({"Authorization": f"Bearer {token}"})


def test_sdk_jwt_accepts_a_good_token() -> None:
    now = int(time.time())
    user = sdk_jwt.verify_end_user(
        bearer(
            sdk(
                {
                    "identifier": "u1",
                    "iat": now,
                    "exp": now + 60,
                    "phone": "+14155550100",
                    "name": "Kim",
                }
            )
        )
    )
    assert user.identifier == "u1" and user.phone == "+14155550100"


@pytest.mark.parametrize(
    ("claims", "secret", "code"),
    [
        ({"identifier": "u1", "iat": -7200, "exp": -3600}, None, "token_expired"),
        ({"identifier": "u1", "iat": 3600, "exp": 7200}, None, "token_not_yet_valid"),
        (
            {"identifier": "u1", "iat": 0, "exp": 60},
            "another-secret-of-length-32-xxxx",
            "bad_token",
        ),
        ({"identifier": "u1", "exp": 60}, None, "bad_token"),  # no iat
        ({"identifier": "u1", "iat": 0, "exp": 3 * 86400}, None, "bad_token"),  # too long-lived
    ],
)
def test_sdk_jwt_rejections(claims: dict, secret: str | None, code: str) -> None:
    now = int(time.time())
    c = {k: (v + now if k in ("iat", "exp") else v) for k, v in claims.items()}
    with pytest.raises(ApiError) as exc:
        sdk_jwt.verify_end_user(bearer(sdk(c, secret)))
    assert exc.value.status == 401 and exc.value.code == code


def test_sdk_jwt_rejects_alg_none_and_bad_phone() -> None:
    now = int(time.time())
    unsigned = jwt.encode({"identifier": "u", "iat": now, "exp": now + 60}, None, algorithm="none")
    with pytest.raises(ApiError) as exc:
        sdk_jwt.verify_end_user(bearer(unsigned))
    assert exc.value.status == 401
    with pytest.raises(ApiError) as exc:
        sdk_jwt.verify_end_user(
            bearer(sdk({"identifier": "u", "iat": now, "exp": now + 60, "phone": "555-1234"}))
        )
    assert exc.value.status == 400 and exc.value.field == "token.phone"
    with pytest.raises(ApiError) as exc:
        sdk_jwt.verify_end_user(request_with({}))
    assert exc.value.status == 401


def basic(user: str, password: str) -> flask.Request:
    raw = base64.b64encode(f"{user}:{password}".encode()).decode()
    return request_with({"Authorization": f"Basic {raw}"})


def test_apps_api_basic_auth() -> None:
    s = settings()
    assert apps_basic.verify_apps_api(basic(s.company_subdomain, s.apps_api_token_list[0])) == (
        s.company_subdomain
    )
    for user, pw in ((s.company_subdomain, "wrong"), ("other", s.apps_api_token_list[0]), ("", "")):
        with pytest.raises(ApiError) as exc:
            apps_basic.verify_apps_api(basic(user, pw))
        assert exc.value.status == 401 and "WWW-Authenticate" in exc.value.headers
    with pytest.raises(ApiError):
        apps_basic.verify_apps_api(request_with({}))


def test_portal_tokens_resolve_roles_from_config(demo) -> None:
    admin = portal.authenticate(bearer(portal.issue("ada")))
    assert admin.all_queues and admin.has("Monitor-Chats-Edit")
    mona = portal.authenticate(bearer(portal.issue("mona")))
    assert not mona.all_queues and mona.has("Monitor-Chats-Edit")
    assert mona.can_see_queue("billing-refunds") and not mona.can_see_queue("support-internet")
    sam = portal.authenticate(bearer(portal.issue("sam")))
    assert sam.has("monitor") and not sam.has("Monitor-Chats-Edit")
    quinn = portal.authenticate(bearer(portal.issue("quinn")))
    assert quinn.has("audit.read") and quinn.can_see_queue("sales-general")
    with pytest.raises(ApiError) as exc:
        sam.require("Monitor-Chats-Edit")
    assert exc.value.status == 403
    with pytest.raises(ApiError) as exc:
        mona.require_queue("support-internet")
    assert exc.value.status == 404  # out of scope looks like missing
    for token in (portal.issue("nobody"), "garbage", sdk({"sub": "ada", "iat": 0, "exp": 1})):
        with pytest.raises(ApiError) as exc:
            portal.authenticate(bearer(token))
        assert exc.value.status == 401


def test_cloud_refuses_local_default_secrets(monkeypatch) -> None:
    from core.settings import SettingsError, reset_settings, settings

    monkeypatch.setenv("K_SERVICE", "deflection-http")
    monkeypatch.setenv("COMPANY_SECRET", "local-company-secret-at-least-32-bytes!")
    # What Terraform gives it besides secrets, whether or not a suite already ran here.
    monkeypatch.setenv("RECORDINGS_TASKS_SERVICE_ACCOUNT", "tasks@demo.iam.gserviceaccount.com")
    monkeypatch.delenv("FIREBASE_AUTH_EMULATOR_HOST", raising=False)
    monkeypatch.delenv("FUNCTION_TARGET", raising=False)  # K_SERVICE alone names it
    reset_settings()
    with pytest.raises(SettingsError) as exc:
        settings()
    assert "COMPANY_SECRET is left at its local default" in str(exc.value)
    assert "TWILIO_AUTH_TOKEN" in str(exc.value)
    for alias in ("TWILIO_AUTH_TOKEN", "COMPANY_SECRET", "PORTAL_TOKEN_SECRET"):
        monkeypatch.setenv(alias, "s3cret-" + alias)
    reset_settings()
    try:
        assert settings().company_secret.get_secret_value() == "s3cret-COMPANY_SECRET"
    finally:
        monkeypatch.delenv("K_SERVICE")
        reset_settings()
