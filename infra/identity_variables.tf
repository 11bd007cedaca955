# Portal sign-in (Identity Platform): docs/signin.md. No secret here either: every
# provider uses a flow without a client secret (OIDC ID-token flow, SAML certificates).

variable "identity_authorized_domains" {
  description = "Domains the portal is served from (sign-in redirects are allowed only there), besides <project>.firebaseapp.com and <project>.web.app."
  type        = list(string)
  default     = []
}

variable "identity_email_sign_in" {
  description = "Email / password sign-in (accounts created by an admin; people set their password from the reset email)."
  type        = bool
  default     = true
}

variable "identity_self_sign_up" {
  description = "Let people create their own Identity Platform account (needed for a first Google / SAML / OIDC sign-in). Safe: only a verified email that a config user has gets in."
  type        = bool
  default     = true
}

variable "identity_google_client_id" {
  description = "OAuth client id (a web client of this project) for Google sign-in; empty turns Google sign-in off. ID-token flow: no client secret."
  type        = string
  default     = ""
}

variable "identity_oidc_providers" {
  description = "Enterprise OIDC providers by id (the provider is named oidc.<id>): ID-token flow, so no client secret."
  type = map(object({
    display_name = string
    issuer       = string
    client_id    = string
    enabled      = optional(bool, true)
  }))
  default = {}
  validation {
    condition     = alltrue([for k, v in var.identity_oidc_providers : can(regex("^[a-z0-9-]{1,30}$", k)) && startswith(v.issuer, "https://")])
    error_message = "Provider ids are lowercase letters, digits and dashes; issuers are https URLs."
  }
}

variable "identity_saml_providers" {
  description = "Enterprise SAML providers by id (named saml.<id>): the IdP's entity id, SSO URL and signing certificates (PEM, public)."
  type = map(object({
    display_name  = string
    idp_entity_id = string
    sso_url       = string
    certificates  = list(string)
    enabled       = optional(bool, true)
  }))
  default = {}
  validation {
    condition     = alltrue([for k, v in var.identity_saml_providers : can(regex("^[a-z0-9-]{1,30}$", k)) && startswith(v.sso_url, "https://") && length(v.certificates) > 0])
    error_message = "Provider ids are lowercase letters, digits and dashes; SSO URLs are https; at least one certificate."
  }
}

variable "identity_mfa_state" {
  description = "Second factors for the project: ENABLED lets people enrol (roles with mfa_required in the config then demand one), MANDATORY demands one of everybody, DISABLED turns enrolment off."
  type        = string
  default     = "ENABLED"
  validation {
    condition     = contains(["DISABLED", "ENABLED", "MANDATORY"], var.identity_mfa_state)
    error_message = "Use DISABLED, ENABLED or MANDATORY."
  }
}

variable "identity_mfa_providers" {
  description = "Second factors people may enrol: PHONE_SMS and / or TOTP (authenticator apps)."
  type        = list(string)
  default     = ["PHONE_SMS", "TOTP"]
  validation {
    condition     = length(var.identity_mfa_providers) > 0 && alltrue([for p in var.identity_mfa_providers : contains(["PHONE_SMS", "TOTP"], p)])
    error_message = "Use PHONE_SMS and / or TOTP."
  }
}

variable "identity_sms_allowed_regions" {
  description = "Regions (ISO 3166 codes) SMS codes may be sent to; empty allows all."
  type        = list(string)
  default     = []
}

# The web console (docs/console.md): served by its function from the functions' URL host,
# signing in with the Firebase JS SDK. None of these is a secret: the browser gets them.
variable "console_firebase_api_key" {
  description = "Browser API key of the project for Identity Platform sign-in from the web console (APIs & Services > Credentials; restrict it to the Identity Toolkit API and the console's host). Public by design."
  type        = string
  default     = ""
}

variable "console_firebase_auth_domain" {
  description = "authDomain of the console's Firebase config; empty means <project>.firebaseapp.com."
  type        = string
  default     = ""
}

variable "console_origin" {
  description = "Origin (https://host) the console is served from when not from its function's own URL (a custom domain); the API functions answer CORS for it. Empty: the function's own origin only."
  type        = string
  default     = ""
  validation {
    condition     = var.console_origin == "" || can(regex("^https://[a-z0-9.-]+(:[0-9]+)?$", var.console_origin))
    error_message = "console_origin is an origin such as https://console.example.com (no path)."
  }
}
