# Alerts: the retention sweeper's day-6 warning (recordings about to hit the 7-day limit)
# and dead letters waiting for an operator.

resource "google_logging_metric" "retention_warning" {
  project     = var.project_id
  name        = "recordings-retention-warning"
  description = "Warnings and errors of the recordings sweeper: a recording is 6 days old and still not confirmed by the CRM, or a deletion failed."
  filter      = <<-EOT
    resource.type="cloud_run_revision"
    resource.labels.service_name="${local.function_names["recordings_sweeper"]}"
    severity>=WARNING
  EOT
  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
  }
}

resource "google_monitoring_alert_policy" "retention_warning" {
  project               = var.project_id
  display_name          = "Recordings near the 7-day limit"
  combiner              = "OR"
  notification_channels = var.alert_notification_channels
  documentation {
    content   = "The recordings sweeper found a recording at day 6 that the CRM has not confirmed (or failed to delete one). It will be deleted at day 7 whatever happens: check the CRM credentials and the recording-delivery queue."
    mime_type = "text/markdown"
  }
  conditions {
    display_name = "sweeper warning logged"
    condition_threshold {
      filter          = "metric.type=\"logging.googleapis.com/user/${google_logging_metric.retention_warning.name}\" AND resource.type=\"cloud_run_revision\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"
      aggregations {
        alignment_period   = "300s"
        per_series_aligner = "ALIGN_SUM"
      }
    }
  }
  depends_on = [google_project_service.api]
}

resource "google_monitoring_alert_policy" "dead_letters" {
  project               = var.project_id
  display_name          = "Dead letters waiting"
  combiner              = "OR"
  notification_channels = var.alert_notification_channels
  documentation {
    content   = "An event function failed the same message ${local.dead_letter.max_delivery_attempts} times; it is in the dead-letter-inspect subscription."
    mime_type = "text/markdown"
  }
  conditions {
    display_name = "undelivered dead letters"
    condition_threshold {
      filter          = "metric.type=\"pubsub.googleapis.com/subscription/num_undelivered_messages\" AND resource.type=\"pubsub_subscription\" AND resource.labels.subscription_id=\"${google_pubsub_subscription.dead_letter.name}\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "300s"
      aggregations {
        alignment_period   = "300s"
        per_series_aligner = "ALIGN_MAX"
      }
    }
  }
  depends_on = [google_project_service.api]
}
