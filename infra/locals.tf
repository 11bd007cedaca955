locals {
  # Mirror of functions/core/entrypoints.py ENTRYPOINTS (name => kind, module, topic, public).
  # tests/infra asserts it equals the Python list exactly, so the two cannot drift.
  entrypoints = {
    sessions_http                 = { kind = "http", module = "sessions.http", topic = null, public = true }
    sessions_outbox               = { kind = "event", module = "sessions.outbox", topic = "scheduler-outbox", public = false }
    deflection_http               = { kind = "http", module = "deflection.http", topic = null, public = true }
    deflection_voicemail_delivery = { kind = "event", module = "deflection.voicemail_delivery", topic = "scheduler-voicemail", public = false }
    recordings_http               = { kind = "http", module = "recordings.http", topic = null, public = true }
    recordings_sweeper            = { kind = "event", module = "recordings.sweeper", topic = "scheduler-retention", public = false }
    monitoring_http               = { kind = "http", module = "monitoring.http", topic = null, public = true }
    monitoring_sweeper            = { kind = "event", module = "monitoring.sweeper", topic = "scheduler-stuck-sessions", public = false }
    attributes_http               = { kind = "http", module = "attributes.http", topic = null, public = true }
    notifications_http            = { kind = "http", module = "notifications.http", topic = null, public = true }
    notifications_on_event        = { kind = "event", module = "notifications.on_event", topic = "session-events", public = false }
    smartactions_http             = { kind = "http", module = "smartactions.http", topic = null, public = true }
  }

  # Mirror of TOPICS in the same file.
  topics = [
    "session-events",
    "alerts",
    "scheduler-outbox",
    "scheduler-voicemail",
    "scheduler-retention",
    "scheduler-stuck-sessions",
    "dead-letter",
  ]

  # Least privilege, per function: which secrets it mounts, which topics it publishes to,
  # which buckets it writes, whether it signs URLs (IAM signBlob on its own account) and
  # whether it enqueues Cloud Tasks. Keys must equal those of local.entrypoints (tested).
  access = {
    sessions_http = {
      secrets = ["twilio_auth_token", "company_secret", "portal_token_secret", "zendesk_api_token", "salesforce_client_secret"]
      publish = ["session-events"], buckets = [], sign_urls = false, enqueue = false
    }
    sessions_outbox = {
      secrets = []
      publish = ["session-events"], buckets = [], sign_urls = false, enqueue = false
    }
    deflection_http = {
      secrets = ["twilio_auth_token", "company_secret", "portal_token_secret"]
      publish = ["session-events"], buckets = ["media"], sign_urls = true, enqueue = false
    }
    deflection_voicemail_delivery = {
      secrets = ["twilio_auth_token", "zendesk_api_token", "salesforce_client_secret"]
      publish = ["session-events", "alerts"], buckets = ["media"], sign_urls = true, enqueue = false
    }
    recordings_http = {
      secrets = ["twilio_auth_token", "portal_token_secret", "zendesk_api_token", "salesforce_client_secret", "recordings_crm_keys", "recordings_url_secret"]
      publish = ["alerts"], buckets = ["recordings"], sign_urls = true, enqueue = true
    }
    recordings_sweeper = {
      secrets = ["twilio_auth_token", "zendesk_api_token", "salesforce_client_secret"]
      publish = ["alerts"], buckets = ["recordings"], sign_urls = false, enqueue = true
    }
    monitoring_http = {
      secrets = ["twilio_auth_token", "portal_token_secret"]
      publish = ["session-events"], buckets = [], sign_urls = false, enqueue = false
    }
    monitoring_sweeper = {
      secrets = ["twilio_auth_token"]
      publish = ["session-events", "alerts"], buckets = [], sign_urls = false, enqueue = false
    }
    attributes_http = {
      secrets = ["company_secret", "portal_token_secret", "apps_api_tokens", "cx_webhook_secret", "zendesk_api_token", "salesforce_client_secret"]
      publish = ["session-events"], buckets = [], sign_urls = false, enqueue = false
    }
    notifications_http = {
      secrets = ["portal_token_secret"]
      publish = [], buckets = ["media"], sign_urls = true, enqueue = false
    }
    notifications_on_event = {
      secrets = ["twilio_auth_token"]
      publish = [], buckets = ["media"], sign_urls = true, enqueue = false
    }
    smartactions_http = {
      secrets = ["twilio_auth_token", "company_secret", "portal_token_secret"]
      publish = ["session-events"], buckets = ["media"], sign_urls = true, enqueue = false
    }
  }

  # Secret Manager secrets (no versions here: ops add them, see README.md) => env var.
  secrets = {
    twilio_auth_token        = "TWILIO_AUTH_TOKEN"
    company_secret           = "COMPANY_SECRET"
    portal_token_secret      = "PORTAL_TOKEN_SECRET"
    zendesk_api_token        = "ZENDESK_API_TOKEN"
    salesforce_client_secret = "SALESFORCE_CLIENT_SECRET"
    apps_api_tokens          = "APPS_API_TOKENS"
    cx_webhook_secret        = "CX_WEBHOOK_SECRET"
    recordings_crm_keys      = "RECORDINGS_CRM_KEYS"
    recordings_url_secret    = "RECORDINGS_URL_SECRET"
  }

  prefix          = var.name_prefix != "" ? var.name_prefix : var.project_id
  recordings_name = var.recordings_bucket_name != "" ? var.recordings_bucket_name : "${local.prefix}-recordings"
  media_name      = var.media_bucket_name != "" ? var.media_bucket_name : "${local.prefix}-media"
  bucket_names    = { recordings = local.recordings_name, media = local.media_name }

  http_functions  = { for k, v in local.entrypoints : k => v if v.kind == "http" }
  event_functions = { for k, v in local.entrypoints : k => v if v.kind == "event" }

  # Cloud Run service names allow no underscore: the deployed name uses hyphens, the
  # entry point (--target) keeps the Python name.
  function_names = { for k, v in local.entrypoints : k => replace(k, "_", "-") }

  # Each function's URL, computed from project, region and name rather than read back from
  # the function resource: PUBLIC_URL of a function is its own URL, which Terraform could
  # not feed into the function that produces it (a self-reference cycle). This is the
  # documented, stable cloudfunctions.net address of a 2nd gen function; it reaches the
  # same service as the run.app URL, with the path passed through unchanged.
  function_urls = {
    for k, v in local.entrypoints : k => "https://${var.region}-${var.project_id}.cloudfunctions.net/${local.function_names[k]}"
  }
  http_function_urls = { for k, v in local.http_functions : k => local.function_urls[k] }

  # Environment shared by every function: names as in functions/core/settings.py (tested).
  common_env = {
    GOOGLE_CLOUD_PROJECT = var.project_id
    REGION               = var.region
    FUNCTION_URLS        = jsonencode(local.http_function_urls)
    TWILIO_ACCOUNT_SID   = var.twilio_account_sid
    TWILIO_API_BASE      = var.twilio_api_base
    TWILIO_CALLER_ID     = var.twilio_caller_id
    CRM                  = var.crm
    ZENDESK_BASE_URL     = var.zendesk_base_url
    ZENDESK_EMAIL        = var.zendesk_email
    SALESFORCE_BASE_URL  = var.salesforce_base_url
    SALESFORCE_CLIENT_ID = var.salesforce_client_id
    COMPANY_SUBDOMAIN    = var.company_subdomain
    JWT_LEEWAY_SECONDS   = tostring(var.jwt_leeway_seconds)
    APPS_API_RATE_LIMIT  = tostring(var.apps_api_rate_limit)
    RECORDINGS_BUCKET    = local.recordings_name
    MEDIA_BUCKET         = local.media_name
    TASKS_LOCATION       = var.region
    RECORDINGS_QUEUE     = google_cloud_tasks_queue.recording_delivery.name
    SESSION_EVENTS_TOPIC = google_pubsub_topic.topic["session-events"].name
    ALERTS_TOPIC         = google_pubsub_topic.topic["alerts"].name
    TTS_ENGINE           = var.tts_engine
    CONFIG_CACHE_SECONDS = tostring(var.config_cache_seconds)
    LOG_LEVEL            = var.log_level
    # Signed custom data lives minutes (functions/core/settings.py).
    CUSTOM_DATA_MAX_LIFETIME_SECONDS = tostring(var.custom_data_max_lifetime_seconds)
    # functions/smartactions/config.py (env prefix SMARTACTIONS_): same days as the lifecycle.
    SMARTACTIONS_MEDIA_RETENTION_DAYS = tostring(var.media_retention_days)
    # functions/recordings/config.py: Cloud Tasks attaches this account's OIDC token.
    RECORDINGS_TASKS_SERVICE_ACCOUNT = google_service_account.tasks_invoker.email
  }
}
