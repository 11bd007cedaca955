# Every entry point of functions/core/entrypoints.py, deployed from the one source zip.

locals {
  # HTTP functions Cloud Tasks calls with an OIDC token from the tasks-invoker account:
  # the recording delivery worker lives in recordings_http, and any non-public HTTP
  # function is reachable by that account only.
  tasks_targets = toset(concat(["recordings_http"], [for k, v in local.http_functions : k if !v.public]))

  # Dead-letter settings of the subscription behind each event function (see README.md).
  dead_letter = {
    max_delivery_attempts = 10
    min_retry_delay       = "10s"
    max_retry_delay       = "600s"
  }
}

resource "google_cloudfunctions2_function" "fn" {
  for_each    = local.entrypoints
  project     = var.project_id
  name        = local.function_names[each.key]
  location    = var.region
  description = "${each.key}: ${each.value.module}"
  labels      = merge(var.labels, { entrypoint = local.function_names[each.key] })

  build_config {
    runtime         = "python311"
    entry_point     = each.key
    service_account = google_service_account.build.id
    source {
      storage_source {
        bucket = google_storage_bucket.source.name
        object = google_storage_bucket_object.source.name
      }
    }
  }

  service_config {
    available_memory               = var.function_memory
    timeout_seconds                = var.function_timeout_seconds
    max_instance_count             = var.function_max_instances
    min_instance_count             = each.value.public ? var.function_min_instances : 0
    ingress_settings               = each.value.public ? "ALLOW_ALL" : "ALLOW_INTERNAL_ONLY"
    all_traffic_on_latest_revision = true
    service_account_email          = google_service_account.fn[each.key].email

    # PUBLIC_URL: the function's own URL, computed (not read back) to avoid a cycle.
    environment_variables = merge(local.common_env, {
      PUBLIC_URL = local.function_urls[each.key]
    })

    dynamic "secret_environment_variables" {
      for_each = toset(local.access[each.key].secrets)
      content {
        key        = local.secrets[secret_environment_variables.value]
        project_id = var.project_id
        secret     = google_secret_manager_secret.secret[secret_environment_variables.value].secret_id
        version    = "latest"
      }
    }
  }

  dynamic "event_trigger" {
    for_each = each.value.kind == "event" ? [each.value.topic] : []
    content {
      trigger_region        = var.region
      event_type            = "google.cloud.pubsub.topic.v1.messagePublished"
      pubsub_topic          = google_pubsub_topic.topic[event_trigger.value].id
      retry_policy          = "RETRY_POLICY_RETRY"
      service_account_email = google_service_account.fn[each.key].email
    }
  }

  depends_on = [
    google_project_service.api,
    google_project_iam_member.build,
    google_storage_bucket_iam_member.build_source,
    google_secret_manager_secret_iam_member.fn_secret,
    google_project_iam_member.fn_event_receiver,
  ]
}

# --- Invokers --------------------------------------------------------------------------

# Carriers, SDKs, the back office and portal users reach these; each handler
# authenticates the request itself (Twilio signature, SDK JWT, Basic, portal token).
resource "google_cloud_run_service_iam_member" "public_invoker" {
  #checkov:skip=CKV_GCP_102:Public on purpose: Twilio, SDKs and the back office cannot present Google credentials; every handler authenticates the request itself.
  for_each = { for k, v in local.http_functions : k => v if v.public }
  project  = var.project_id
  location = var.region
  service  = google_cloudfunctions2_function.fn[each.key].name
  role     = "roles/run.invoker"
  member   = "allUsers"
}

# Cloud Tasks presents an OIDC token of the tasks-invoker account.
resource "google_cloud_run_service_iam_member" "tasks_invoker" {
  for_each = local.tasks_targets
  project  = var.project_id
  location = var.region
  service  = google_cloudfunctions2_function.fn[each.key].name
  role     = "roles/run.invoker"
  member   = google_service_account.tasks_invoker.member
}

# The Eventarc trigger of an event function runs as the function's own account.
resource "google_cloud_run_service_iam_member" "event_invoker" {
  for_each = local.event_functions
  project  = var.project_id
  location = var.region
  service  = google_cloudfunctions2_function.fn[each.key].name
  role     = "roles/run.invoker"
  member   = google_service_account.fn[each.key].member
}

# --- Dead letters on the Eventarc subscriptions -----------------------------------------
# Eventarc creates (and names) the push subscription behind each event trigger; neither
# the function nor the trigger resource exposes a dead-letter setting. This step finds
# that subscription from the trigger and attaches the dead-letter topic, retry backoff and
# the Pub/Sub service agent's subscriber role (needed to forward dead letters). It reruns
# whenever the trigger is replaced (which makes a new subscription). Needs gcloud.
resource "terraform_data" "dead_letter" {
  for_each = local.event_functions

  triggers_replace = [
    google_cloudfunctions2_function.fn[each.key].event_trigger[0].trigger,
    local.dead_letter,
  ]

  provisioner "local-exec" {
    interpreter = ["bash", "-c"]
    command     = <<-EOT
      set -euo pipefail
      trigger="$${TRIGGER##*/}"
      sub=$(gcloud eventarc triggers describe "$trigger" --project "$PROJECT" \
        --location "$REGION" --format='value(transport.pubsub.subscription)')
      test -n "$sub"
      gcloud pubsub subscriptions update "$sub" --project "$PROJECT" \
        --dead-letter-topic "$DEAD_LETTER_TOPIC" \
        --max-delivery-attempts "$MAX_DELIVERY_ATTEMPTS" \
        --min-retry-delay "$MIN_RETRY_DELAY" --max-retry-delay "$MAX_RETRY_DELAY"
      gcloud pubsub subscriptions add-iam-policy-binding "$sub" --project "$PROJECT" \
        --member "$PUBSUB_AGENT" --role roles/pubsub.subscriber >/dev/null
    EOT
    environment = {
      PROJECT               = var.project_id
      REGION                = var.region
      TRIGGER               = google_cloudfunctions2_function.fn[each.key].event_trigger[0].trigger
      DEAD_LETTER_TOPIC     = google_pubsub_topic.topic["dead-letter"].id
      MAX_DELIVERY_ATTEMPTS = tostring(local.dead_letter.max_delivery_attempts)
      MIN_RETRY_DELAY       = local.dead_letter.min_retry_delay
      MAX_RETRY_DELAY       = local.dead_letter.max_retry_delay
      PUBSUB_AGENT          = local.pubsub_agent
    }
  }

  depends_on = [google_pubsub_topic_iam_member.agent_dead_letter]
}
