# Topics of functions/manifest.json, the push subscriptions that feed the event functions
# (retries and dead letters declared here, so `terraform apply` alone deploys the system),
# and pull subscriptions for people (dead letters, alerts).

locals {
  # Retry and dead-letter settings of every push subscription: functions/manifest.json
  # (push_delivery), which the emulator suite's subscriptions follow too.
  dead_letter = {
    max_delivery_attempts = local.manifest.push_delivery.max_delivery_attempts
    min_retry_delay       = "${local.manifest.push_delivery.minimum_backoff_seconds}s"
    max_retry_delay       = "${local.manifest.push_delivery.maximum_backoff_seconds}s"
  }
}

resource "google_pubsub_topic" "topic" {
  #checkov:skip=CKV_GCP_83:Google-managed encryption is the deployment's choice for event payloads (ids and statuses, no recordings); CMEK can be added per topic.
  for_each                   = toset(local.topics)
  project                    = var.project_id
  name                       = each.value
  labels                     = var.labels
  message_retention_duration = "86400s"
  depends_on                 = [google_project_service.api]
}

# One push subscription per event function. Pub/Sub signs each push with an OIDC token of
# the pubsub-push account (audience: the function's URL); Cloud Run checks it (the account
# is the function's only invoker) and so does the function (PUSH_SERVICE_ACCOUNT).
# A non-2xx answer or no answer within the ack deadline is retried with backoff; after
# max_delivery_attempts the message goes to the dead-letter topic. Handlers are idempotent.
resource "google_pubsub_subscription" "push" {
  for_each = local.event_functions
  project  = var.project_id
  name     = "push-${local.function_names[each.key]}"
  topic    = google_pubsub_topic.topic[each.value.topic].id

  # The push is acknowledged by the function's answer: wait as long as the function may
  # run (Pub/Sub allows at most 600 s; tests/infra keeps event timeouts within it).
  ack_deadline_seconds       = min(600, max(10, each.value.timeout_seconds))
  message_retention_duration = "604800s"
  retain_acked_messages      = false
  labels                     = var.labels

  push_config {
    push_endpoint = local.function_urls[each.key]
    oidc_token {
      service_account_email = google_service_account.pubsub_push.email
      audience              = local.function_urls[each.key]
    }
  }

  retry_policy {
    minimum_backoff = local.dead_letter.min_retry_delay
    maximum_backoff = local.dead_letter.max_retry_delay
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.topic[local.manifest.push_delivery.dead_letter_topic].id
    max_delivery_attempts = local.dead_letter.max_delivery_attempts
  }

  expiration_policy {
    ttl = ""
  }

  depends_on = [
    google_cloud_run_service_iam_member.push_invoker,
    google_service_account_iam_member.agent_push_token,
    google_pubsub_topic_iam_member.agent_dead_letter,
  ]
}

# Dead letters wait here for an operator (7 days, the Pub/Sub maximum), and an alert
# fires while any is unread (monitoring.tf).
resource "google_pubsub_subscription" "dead_letter" {
  project                    = var.project_id
  name                       = "dead-letter-inspect"
  topic                      = google_pubsub_topic.topic["dead-letter"].id
  ack_deadline_seconds       = 60
  message_retention_duration = "604800s"
  retain_acked_messages      = false
  expiration_policy {
    ttl = ""
  }
  labels = var.labels
}

# Alerts published by the functions (e.g. the retention sweeper's day-6 warning), for
# whatever pages the operator (a pull consumer, or a push to a chat webhook).
resource "google_pubsub_subscription" "alerts" {
  project                    = var.project_id
  name                       = "alerts-inspect"
  topic                      = google_pubsub_topic.topic["alerts"].id
  ack_deadline_seconds       = 60
  message_retention_duration = "604800s"
  expiration_policy {
    ttl = ""
  }
  labels = var.labels
}
