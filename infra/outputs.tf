# URLs only: no secret value is ever an output (there is none in the state to output).

locals {
  # Webhook paths, per carrier callback: tests/infra checks each is routed by its module.
  carrier_webhooks = {
    voice_webhook             = { function = "deflection_http", path = "/twilio/voice" }
    sms_webhook               = { function = "deflection_http", path = "/twilio/sms" }
    call_status_callback      = { function = "sessions_http", path = "/twilio/call-status" }
    recording_status_callback = { function = "recordings_http", path = "/twilio/recording-status" }
  }
}

output "twilio_voice_fallback" {
  description = "Static fallback TwiML for the number's \"Primary handler fails\" setting (HTTP GET): callers hear a message and wait in a Twilio queue."
  value       = { url = local.voice_fallback_url, method = "GET" }
}

output "function_urls" {
  description = "Base URL of every HTTP function (entry-point name => URL); the same map is FUNCTION_URLS."
  value       = local.http_function_urls
}

output "twilio_webhooks" {
  description = "What to paste into the Twilio number's configuration (see README.md)."
  value = {
    for k, v in local.carrier_webhooks : k => "${local.function_urls[v.function]}${v.path}"
  }
}

output "sdk_base_urls" {
  description = "Base URLs of the public HTTP functions the mobile / web SDK, the portal and the CRM call (sessions, deflection, ...)."
  value       = { for k, v in local.http_functions : trimsuffix(k, "_http") => local.function_urls[k] if v.public }
}

output "apps_api_base_url" {
  description = "Base of the Apps API for the customer's back office (Basic auth: company subdomain + API token)."
  value       = "${local.function_urls["attributes_http"]}/apps/api/v1"
}

output "buckets" {
  description = "Bucket names."
  value       = local.bucket_names
}

output "secret_ids" {
  description = "Secret Manager secrets to add versions to (names only)."
  value       = { for k, s in google_secret_manager_secret.secret : local.secrets[k] => s.secret_id }
}

output "pubsub_push_service_account" {
  description = "Service account whose OIDC token the Pub/Sub push subscriptions present to the event functions."
  value       = google_service_account.pubsub_push.email
}

output "tasks_invoker_service_account" {
  description = "Service account whose OIDC token Cloud Tasks presents to the delivery worker."
  value       = google_service_account.tasks_invoker.email
}
