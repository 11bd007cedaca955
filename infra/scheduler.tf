# Cloud Scheduler jobs publishing the ticks the event functions run on.

locals {
  scheduler_jobs = {
    "scheduler-outbox"         = { schedule = "* * * * *", description = "republish session events left unpublished" }
    "scheduler-voicemail"      = { schedule = "*/5 * * * *", description = "deliver after-hours voicemails when queues open" }
    "scheduler-retention"      = { schedule = "0 * * * *", description = "recordings retention sweep (alert day 6, delete day 7)" }
    "scheduler-stuck-sessions" = { schedule = "*/10 * * * *", description = "end sessions stuck past the threshold" }
  }
}

resource "google_cloud_scheduler_job" "tick" {
  for_each    = local.scheduler_jobs
  project     = var.project_id
  region      = var.region
  name        = each.key
  description = each.value.description
  schedule    = each.value.schedule
  time_zone   = "Etc/UTC"

  # A missed tick is harmless: the next one does the same work.
  retry_config {
    retry_count = 0
  }

  pubsub_target {
    topic_name = google_pubsub_topic.topic[each.key].id
    data       = base64encode(jsonencode({ job = each.key }))
    attributes = { source = "cloud-scheduler" }
  }

  depends_on = [google_project_service.api]
}
