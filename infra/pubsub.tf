# Topics of functions/core/entrypoints.py TOPICS. The push subscriptions that feed the
# event functions are created by Eventarc (functions.tf); the ones here are for people.

resource "google_pubsub_topic" "topic" {
  #checkov:skip=CKV_GCP_83:Google-managed encryption is the deployment's choice for event payloads (ids and statuses, no recordings); CMEK can be added per topic.
  for_each                   = toset(local.topics)
  project                    = var.project_id
  name                       = each.value
  labels                     = var.labels
  message_retention_duration = "86400s"
  depends_on                 = [google_project_service.api]
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
