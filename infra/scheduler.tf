# Cloud Scheduler jobs publishing the ticks the event functions run on: one per entry of
# the manifest's `schedules` (topic => cron).

locals {
  # The function a tick drives, for the job's description.
  tick_targets = {
    for topic, s in local.schedules : topic => [for k, v in local.event_functions : k if v.topic == topic]
  }
}

resource "google_cloud_scheduler_job" "tick" {
  for_each    = local.schedules
  project     = var.project_id
  region      = var.region
  name        = each.key
  description = "Tick of ${join(", ", local.tick_targets[each.key])}"
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
