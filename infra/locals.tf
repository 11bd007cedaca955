locals {
  # functions/manifest.json is the one declaration of every function: its handler module,
  # trigger, access (secrets, topics, buckets, URL signing, task enqueueing) and sizing.
  # functions/main.py, the emulator suite and the tests read the same file; nothing here
  # lists a function by hand (tests/infra fails if a function name list creeps back in).
  manifest = jsondecode(file("${path.module}/../functions/manifest.json"))

  # One uniform object per function (a "pubsub" trigger is an event function).
  functions = {
    for k, f in local.manifest.functions : k => {
      module          = f.module
      description     = f.description
      kind            = f.trigger.type == "pubsub" ? "event" : "http"
      topic           = try(f.trigger.topic, null)
      public          = f.public
      secrets         = f.secrets
      publishes       = f.publishes
      buckets         = f.buckets
      sign_urls       = f.sign_urls
      enqueue_tasks   = f.enqueue_tasks
      memory          = f.memory
      timeout_seconds = f.timeout_seconds
      concurrency     = f.concurrency
      cpu             = try(f.cpu, null)
      # CPU between requests too: deployed as a Cloud Run service (functions.tf).
      cpu_always_allocated = try(f.cpu_always_allocated, false)
      min_instances        = f.min_instances
      max_instances        = f.max_instances
    }
  }

  topics    = local.manifest.topics
  schedules = local.manifest.schedules
  # Secret Manager secrets (no versions here: ops add them, see README.md) => env var.
  secrets = local.manifest.secrets

  # The runtime's own environment (glibc's malloc arenas), the same for every function.
  runtime_env = local.manifest.runtime.env

  prefix          = var.name_prefix != "" ? var.name_prefix : var.project_id
  recordings_name = var.recordings_bucket_name != "" ? var.recordings_bucket_name : "${local.prefix}-recordings"
  media_name      = var.media_bucket_name != "" ? var.media_bucket_name : "${local.prefix}-media"
  bucket_names    = { recordings = local.recordings_name, media = local.media_name }

  http_functions  = { for k, v in local.functions : k => v if v.kind == "http" }
  event_functions = { for k, v in local.functions : k => v if v.kind == "event" }

  # How each function is deployed (functions.tf): as a Cloud Run function, or, when the
  # manifest asks for CPU between requests, as a Cloud Run service built from the same
  # source by the same buildpacks; only that resource has `cpu_idle`
  # (docs/decisions/0005-deflection-cpu-always-allocated.md).
  gcf_functions = { for k, v in local.functions : k => v if !v.cpu_always_allocated }
  run_functions = { for k, v in local.functions : k => v if v.cpu_always_allocated }

  # Cloud Run service names allow no underscore: the deployed name uses hyphens, the
  # entry point (--target) keeps the Python name.
  function_names = { for k, v in local.functions : k => replace(k, "_", "-") }

  # Each function's URL, computed from project, region and name rather than read back from
  # the function resource: PUBLIC_URL of a function is its own URL, which Terraform could
  # not feed into the function that produces it (a self-reference cycle).
  # - HTTP functions: the documented, stable cloudfunctions.net address of a 2nd gen
  #   function (the URL Twilio signs and the SDKs call); it reaches the same service as
  #   the run.app URL, with the path passed through unchanged.
  # - Event functions: the Cloud Run deterministic URL (SERVICE-PROJECT_NUMBER.REGION.run.app).
  #   Their ingress is internal-only, and Cloud Run counts a Pub/Sub push from the same
  #   project as internal only when it targets the run.app URL (not a custom domain or the
  #   cloudfunctions.net alias). The push subscription uses this URL as its endpoint and
  #   as the OIDC audience, and the function verifies the token against PUBLIC_URL.
  # - Functions deployed as Cloud Run services have no cloudfunctions.net alias: the
  #   deterministic run.app URL is theirs too.
  function_urls = {
    for k, v in local.functions : k => (
      v.kind == "event" || v.cpu_always_allocated
      ? "https://${local.function_names[k]}-${data.google_project.this.number}.${var.region}.run.app"
      : "https://${var.region}-${var.project_id}.cloudfunctions.net/${local.function_names[k]}"
    )
  }
  http_function_urls = { for k, v in local.http_functions : k => local.function_urls[k] }

  # Environment shared by every function: names as in functions/core/settings.py (tested).
  common_env = {
    GOOGLE_CLOUD_PROJECT  = var.project_id
    REGION                = var.region
    FUNCTION_URLS         = jsonencode(local.http_function_urls)
    TWILIO_ACCOUNT_SID    = var.twilio_account_sid
    TWILIO_API_BASE       = var.twilio_api_base
    TWILIO_CALLER_ID      = var.twilio_caller_id
    CRM                   = var.crm
    ZENDESK_BASE_URL      = var.zendesk_base_url
    ZENDESK_EMAIL         = var.zendesk_email
    SALESFORCE_BASE_URL   = var.salesforce_base_url
    SALESFORCE_CLIENT_ID  = var.salesforce_client_id
    COMPANY_SUBDOMAIN     = var.company_subdomain
    JWT_LEEWAY_SECONDS    = tostring(var.jwt_leeway_seconds)
    APPS_API_RATE_LIMIT   = tostring(var.apps_api_rate_limit)
    RECORDINGS_BUCKET     = local.recordings_name
    MEDIA_BUCKET          = local.media_name
    TASKS_LOCATION        = var.region
    RECORDINGS_QUEUE      = google_cloud_tasks_queue.recording_delivery.name
    SCHEDULED_CALLS_QUEUE = google_cloud_tasks_queue.scheduled_callbacks.name
    SESSION_EVENTS_TOPIC  = google_pubsub_topic.topic["session-events"].name
    ALERTS_TOPIC          = google_pubsub_topic.topic["alerts"].name
    TTS_ENGINE            = var.tts_engine
    CONFIG_CACHE_SECONDS  = tostring(var.config_cache_seconds)
    LOG_LEVEL             = var.log_level
    # Signed custom data lives minutes (functions/core/settings.py).
    CUSTOM_DATA_MAX_LIFETIME_SECONDS = tostring(var.custom_data_max_lifetime_seconds)
    # functions/core/throttle.py and core/crm/budget.py (docs/architecture.md).
    TRUSTED_PROXY_HOPS                  = tostring(var.trusted_proxy_hops)
    ANON_CHATS_PER_ADDRESS_PER_MINUTE   = tostring(var.anon_chats_per_address_per_minute)
    ANON_CHATS_PER_VISITOR_PER_MINUTE   = tostring(var.anon_chats_per_visitor_per_minute)
    NEW_VISITORS_PER_ADDRESS_PER_MINUTE = tostring(var.new_visitors_per_address_per_minute)
    CRM_BUDGET_PER_MINUTE               = tostring(var.crm_budget_per_minute)
    CRM_RECORDING_RESERVE               = tostring(var.crm_recording_reserve)
    # functions/smartactions/config.py (env prefix SMARTACTIONS_): same days as the lifecycle.
    SMARTACTIONS_MEDIA_RETENTION_DAYS = tostring(var.media_retention_days)
    # Identities in the OIDC tokens the functions accept from Google callers (the audience
    # is the receiving function's PUBLIC_URL): Pub/Sub push, to the event functions; and
    # Cloud Tasks, which attaches this account's token to each recording delivery task.
    PUSH_SERVICE_ACCOUNT             = google_service_account.pubsub_push.email
    RECORDINGS_TASKS_SERVICE_ACCOUNT = google_service_account.tasks_invoker.email
    # Google's certificates of service-account ID tokens (automation callers, identity.tf).
    SERVICE_TOKEN_CERTS_URL = "https://www.googleapis.com/oauth2/v1/certs"
    # The web console's public sign-in config and a custom origin, if any (docs/console.md).
    CONSOLE_FIREBASE_API_KEY     = var.console_firebase_api_key
    CONSOLE_FIREBASE_AUTH_DOMAIN = var.console_firebase_auth_domain
    CONSOLE_ORIGIN               = var.console_origin
    # People's Identity Platform ID tokens: Google's securetoken certificates, and the
    # Identity Toolkit API that answers the revocation / disabled-account look-up.
    PERSON_TOKEN_CERTS_URL = "https://www.googleapis.com/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com"
    IDENTITY_TOOLKIT_URL   = "https://identitytoolkit.googleapis.com"
  }
}
