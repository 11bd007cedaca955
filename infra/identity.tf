# Portal sign-in: Identity Platform (docs/signin.md). People sign in with email / password,
# Google, or an enterprise SAML / OIDC provider; the functions verify the ID token (issuer
# https://securetoken.google.com/<project>, audience <project>) and map its verified email
# to a user of the contact-center config, which gives the roles and teams. Second factors
# are enrolled here; which roles demand one is the config's `mfa_required`.

locals {
  # Functions that authenticate portal users (`portal_sign_in` in functions/manifest.json):
  # before a write they look the account up (revoked sign-in? disabled account?), which
  # needs read access to Identity Platform.
  portal_functions = toset([for k, f in local.manifest.functions : k if try(f.portal_sign_in, false)])
  identity_domains = distinct(concat(
    ["${var.project_id}.firebaseapp.com", "${var.project_id}.web.app"],
    # The web console is served by a function at this host (or from var.console_origin).
    ["${var.region}-${var.project_id}.cloudfunctions.net"],
    [for o in compact([var.console_origin]) : replace(replace(o, "https://", ""), "http://", "")],
    var.identity_authorized_domains,
  ))
  identity_sms_mfa = contains(var.identity_mfa_providers, "PHONE_SMS")
}

resource "google_project_service" "identitytoolkit" {
  project            = var.project_id
  service            = "identitytoolkit.googleapis.com"
  disable_on_destroy = false
}

resource "google_identity_platform_config" "portal" {
  project                    = var.project_id
  authorized_domains         = local.identity_domains
  autodelete_anonymous_users = true

  sign_in {
    allow_duplicate_emails = false
    email {
      enabled           = var.identity_email_sign_in
      password_required = true
    }
    anonymous {
      enabled = false
    }
  }

  client {
    permissions {
      disabled_user_signup   = !var.identity_self_sign_up
      disabled_user_deletion = true
    }
  }

  mfa {
    state             = var.identity_mfa_state
    enabled_providers = local.identity_sms_mfa ? ["PHONE_SMS"] : []
    dynamic "provider_configs" {
      for_each = contains(var.identity_mfa_providers, "TOTP") ? [1] : []
      content {
        state = "ENABLED"
        totp_provider_config {
          adjacent_intervals = 1
        }
      }
    }
  }

  dynamic "sms_region_config" {
    for_each = local.identity_sms_mfa && length(var.identity_sms_allowed_regions) > 0 ? [1] : []
    content {
      allowlist_only {
        allowed_regions = var.identity_sms_allowed_regions
      }
    }
  }

  depends_on = [google_project_service.identitytoolkit]
}

# Google sign-in, as an OIDC provider with the ID-token flow: no client secret exists, so
# none reaches Terraform or its state (the portal signs in with OAuthProvider("oidc.google")).
resource "google_identity_platform_oauth_idp_config" "google" {
  count        = var.identity_google_client_id == "" ? 0 : 1
  project      = var.project_id
  name         = "oidc.google"
  display_name = "Google"
  issuer       = "https://accounts.google.com"
  client_id    = var.identity_google_client_id
  enabled      = true

  response_type {
    id_token = true
    code     = false
  }
  depends_on = [google_identity_platform_config.portal]
}

# Enterprise OIDC: the ID-token flow needs no client secret.
resource "google_identity_platform_oauth_idp_config" "oidc" {
  for_each     = var.identity_oidc_providers
  project      = var.project_id
  name         = "oidc.${each.key}"
  display_name = each.value.display_name
  issuer       = each.value.issuer
  client_id    = each.value.client_id
  enabled      = each.value.enabled

  response_type {
    id_token = true
    code     = false
  }
  depends_on = [google_identity_platform_config.portal]
}

# Enterprise SAML: the IdP's public signing certificates only.
resource "google_identity_platform_inbound_saml_config" "saml" {
  for_each     = var.identity_saml_providers
  project      = var.project_id
  name         = "saml.${each.key}"
  display_name = each.value.display_name
  enabled      = each.value.enabled

  idp_config {
    idp_entity_id = each.value.idp_entity_id
    sso_url       = each.value.sso_url
    sign_request  = true
    dynamic "idp_certificates" {
      for_each = each.value.certificates
      content {
        x509_certificate = idp_certificates.value
      }
    }
  }

  sp_config {
    sp_entity_id = "${var.project_id}-saml-${each.key}"
    callback_uri = "https://${var.project_id}.firebaseapp.com/__/auth/handler"
  }
  depends_on = [google_identity_platform_config.portal]
}

# Revocation / disabled-account look-ups before portal writes (firebase-admin get_user).
resource "google_project_iam_member" "fn_auth_viewer" {
  for_each = local.portal_functions
  project  = var.project_id
  role     = "roles/firebaseauth.viewer"
  member   = google_service_account.fn[each.key].member
}

output "portal_sign_in" {
  description = "What the portal's sign-in page and automation need: the Identity Platform issuer and audience, the allowed domains, and the audience of service-account ID tokens (each function's URL)."
  value = {
    issuer                  = "https://securetoken.google.com/${var.project_id}"
    audience                = var.project_id
    authorized_domains      = local.identity_domains
    service_token_audiences = local.http_function_urls
  }
}
