"""infra/identity.tf: Identity Platform for portal sign-in, read offline with python-hcl2."""

from __future__ import annotations

import json
import re
from typing import Any

from core.auth import id_tokens
from core.settings import Settings
from tests.infra import tf


def _identity() -> dict[str, Any]:
    return tf.resource("google_identity_platform_config", "portal")


def test_identity_platform_is_enabled_with_email_sign_in_and_domains() -> None:
    api = tf.resource("google_project_service", "identitytoolkit")
    assert api["service"] == "identitytoolkit.googleapis.com"
    cfg = _identity()
    assert cfg["depends_on"] == ["${google_project_service.identitytoolkit}"]
    sign_in = tf.block(cfg, "sign_in")
    assert sign_in["allow_duplicate_emails"] is False  # one email, one account
    email = tf.block(sign_in, "email")
    assert email["enabled"] == "${var.identity_email_sign_in}"
    assert email["password_required"] is True
    assert tf.block(sign_in, "anonymous")["enabled"] is False
    assert cfg["authorized_domains"] == "${local.identity_domains}"
    domains = tf.locals_()["identity_domains"]
    assert "var.identity_authorized_domains" in domains and ".firebaseapp.com" in domains
    perms = tf.block(tf.block(cfg, "client"), "permissions")
    assert perms["disabled_user_signup"] == "${!var.identity_self_sign_up}"


def test_mfa_settings_come_from_variables() -> None:
    mfa = tf.block(_identity(), "mfa")
    assert mfa["state"] == "${var.identity_mfa_state}"
    assert "PHONE_SMS" in mfa["enabled_providers"]
    totp = tf.dynamic(mfa, "provider_configs")
    assert "TOTP" in totp["for_each"]
    variables = tf.variables()
    state = variables["identity_mfa_state"]
    assert state["default"] == "ENABLED"
    for value in ("DISABLED", "ENABLED", "MANDATORY"):
        assert value in state["validation"][0]["condition"]
    assert variables["identity_mfa_providers"]["default"] == ["PHONE_SMS", "TOTP"]


def test_providers_are_variables_and_hold_no_secret() -> None:
    # Google sign-in: OIDC with the ID-token flow, so there is no client secret at all.
    google = tf.resource("google_identity_platform_oauth_idp_config", "google")
    assert google["issuer"] == "https://accounts.google.com"
    assert google["count"] == '${var.identity_google_client_id == "" ? 0 : 1}'
    assert tf.block(google, "response_type") == {"id_token": True, "code": False}
    assert "client_secret" not in google
    assert "client_secret" not in (tf.INFRA / "identity.tf").read_text()
    oidc = tf.resource("google_identity_platform_oauth_idp_config", "oidc")
    assert oidc["for_each"] == "${var.identity_oidc_providers}"
    assert oidc["name"] == "oidc.${each.key}"
    assert tf.block(oidc, "response_type") == {"id_token": True, "code": False}
    assert "client_secret" not in oidc
    saml = tf.resource("google_identity_platform_inbound_saml_config", "saml")
    assert saml["for_each"] == "${var.identity_saml_providers}"
    assert saml["name"] == "saml.${each.key}"
    idp = tf.block(saml, "idp_config")
    assert idp["sign_request"] is True
    assert tf.dynamic(idp, "idp_certificates")["for_each"] == "${each.value.certificates}"
    for name in tf.variables():
        if name.startswith("identity_"):
            assert not re.search(r"secret|password$|token", name), name


def _functions_that_authenticate_portal_users() -> set[str]:
    from core.manifest import manifest

    out = set()
    for ep in manifest().functions.values():
        package = tf.FUNCTIONS / ep.module.split(".")[0]
        text = "\n".join(p.read_text() for p in package.glob("*.py"))
        if ep.kind == "http" and re.search(r"portal\.authenticate|import authenticate", text):
            out.add(ep.name)
    return out


def test_portal_functions_may_look_up_sign_in_accounts() -> None:
    grant = tf.resource("google_project_iam_member", "fn_auth_viewer")
    assert grant["role"] == "roles/firebaseauth.viewer"
    assert grant["for_each"] == "${local.portal_functions}"
    assert "f.portal_sign_in" in tf.locals_()["portal_functions"]
    manifest = json.loads((tf.FUNCTIONS / "manifest.json").read_text())
    names = {k for k, f in manifest["functions"].items() if f.get("portal_sign_in")}
    assert names == _functions_that_authenticate_portal_users()


def test_service_token_certificates_are_googles() -> None:
    url = tf.locals_()["common_env"]["SERVICE_TOKEN_CERTS_URL"]
    assert url == "https://www.googleapis.com/oauth2/v1/certs"
    assert url == Settings.model_fields["service_token_certs_url"].default
    # The emulator variable is never set by Terraform.
    assert "FIREBASE_AUTH_EMULATOR_HOST" not in tf.all_text()


def test_person_token_certificates_and_lookup_are_googles() -> None:
    """People's ID tokens: Google's securetoken certificates and Identity Toolkit in the
    cloud (the cloud-shaped suite points both at its IAM stand-in)."""
    env = tf.locals_()["common_env"]
    certs, lookup = env["PERSON_TOKEN_CERTS_URL"], env["IDENTITY_TOOLKIT_URL"]
    assert certs == (
        "https://www.googleapis.com/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com"
    )
    assert certs == Settings.model_fields["person_token_certs_url"].default
    assert lookup == "https://identitytoolkit.googleapis.com"
    assert lookup == Settings.model_fields["identity_toolkit_url"].default


def test_output_names_what_the_functions_verify() -> None:
    out = tf.outputs()["portal_sign_in"]["value"]
    assert out["issuer"] == id_tokens.PERSON_ISSUER_PREFIX + "${var.project_id}"
    assert out["audience"] == "${var.project_id}"
    assert out["service_token_audiences"] == "${local.http_function_urls}"
