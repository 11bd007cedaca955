# Cloud Tasks queue of the recording delivery worker (recordings_http).
#
# Our code owns retries: a worker that must retry creates a new task scheduled at
# now + backoff (exponential, jitter, Retry-After) and answers 2xx. The queue's own retry
# is the backstop for a worker that crashed or timed out before rescheduling; it uses the
# same curve as the code (tests/infra asserts the equality with the code's constants).

locals {
  recording_delivery_queue = {
    name                      = "recording-delivery"
    max_dispatches_per_second = 10
    max_concurrent_dispatches = 20
    max_attempts              = 8
    min_backoff_seconds       = 10
    max_backoff_seconds       = 3600
    max_doublings             = 16
    # Nothing outlives 7 days: stop retrying well before (6 days).
    max_retry_duration_seconds = 518400
  }
}

resource "google_cloud_tasks_queue" "recording_delivery" {
  project  = var.project_id
  name     = local.recording_delivery_queue.name
  location = var.region

  rate_limits {
    max_dispatches_per_second = local.recording_delivery_queue.max_dispatches_per_second
    max_concurrent_dispatches = local.recording_delivery_queue.max_concurrent_dispatches
  }

  retry_config {
    max_attempts       = local.recording_delivery_queue.max_attempts
    min_backoff        = "${local.recording_delivery_queue.min_backoff_seconds}s"
    max_backoff        = "${local.recording_delivery_queue.max_backoff_seconds}s"
    max_doublings      = local.recording_delivery_queue.max_doublings
    max_retry_duration = "${local.recording_delivery_queue.max_retry_duration_seconds}s"
  }

  stackdriver_logging_config {
    sampling_ratio = 1.0
  }

  depends_on = [google_project_service.api]
}

# Scheduled-call callbacks (deflection_http): one task per booking, scheduled at the slot
# start. A callback more than an hour late is no longer the slot the customer chose, so
# the queue stops retrying after one hour.
locals {
  scheduled_callbacks_queue = {
    name                       = "scheduled-callbacks"
    max_dispatches_per_second  = 20
    max_concurrent_dispatches  = 50
    max_attempts               = 6
    min_backoff_seconds        = 10
    max_backoff_seconds        = 300
    max_retry_duration_seconds = 3600
  }
}

resource "google_cloud_tasks_queue" "scheduled_callbacks" {
  project  = var.project_id
  name     = local.scheduled_callbacks_queue.name
  location = var.region

  rate_limits {
    max_dispatches_per_second = local.scheduled_callbacks_queue.max_dispatches_per_second
    max_concurrent_dispatches = local.scheduled_callbacks_queue.max_concurrent_dispatches
  }

  retry_config {
    max_attempts       = local.scheduled_callbacks_queue.max_attempts
    min_backoff        = "${local.scheduled_callbacks_queue.min_backoff_seconds}s"
    max_backoff        = "${local.scheduled_callbacks_queue.max_backoff_seconds}s"
    max_retry_duration = "${local.scheduled_callbacks_queue.max_retry_duration_seconds}s"
  }

  stackdriver_logging_config {
    sampling_ratio = 1.0
  }

  depends_on = [google_project_service.api]
}
