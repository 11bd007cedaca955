# Recordings: a few days at most between the carrier and the CRM. The sweeper deletes at
# day 7 and alerts before; this bucket makes sure nothing outlives that even if the code
# never runs: lifecycle delete, no soft delete, no versioning, no retention policy or hold.
resource "google_storage_bucket" "recordings" {
  #checkov:skip=CKV_GCP_62:Data access is recorded by Cloud Audit Logs (DATA_READ/DATA_WRITE for storage); a log bucket would keep object names past the 7-day promise.
  #checkov:skip=CKV_GCP_78:Versioning is off on purpose: a deleted recording must be gone, not kept as a noncurrent version.
  name                        = local.recordings_name
  project                     = var.project_id
  location                    = var.region
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  default_event_based_hold    = false
  force_destroy               = false
  labels                      = var.labels

  versioning {
    enabled = false
  }

  soft_delete_policy {
    retention_duration_seconds = 0
  }

  lifecycle_rule {
    condition {
      age = var.recordings_lifecycle_age_days
    }
    action {
      type = "Delete"
    }
  }

  lifecycle_rule {
    condition {
      age = 1
    }
    action {
      type = "AbortIncompleteMultipartUpload"
    }
  }

  depends_on = [google_project_service.api]
}

# Media: SmartActions photos, screenshots, videos, attachments (deleted
# media_retention_days after upload), TTS cache and uploaded audio (ringtones, greetings:
# kept until replaced).
resource "google_storage_bucket" "media" {
  #checkov:skip=CKV_GCP_62:Data access is recorded by Cloud Audit Logs; no separate access-log bucket.
  #checkov:skip=CKV_GCP_78:Objects are content-addressed or replaced on purpose; versioning would keep media past its retention.
  name                        = local.media_name
  project                     = var.project_id
  location                    = var.region
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false
  labels                      = var.labels

  versioning {
    enabled = false
  }

  soft_delete_policy {
    retention_duration_seconds = 0
  }

  lifecycle_rule {
    # SmartActions stamps custom_time (upload time) on every photo, screenshot, video and
    # attachment; objects without it (TTS cache, uploaded ringtones) are not touched.
    condition {
      days_since_custom_time = var.media_retention_days
    }
    action {
      type = "Delete"
    }
  }

  lifecycle_rule {
    condition {
      age = 1
    }
    action {
      type = "AbortIncompleteMultipartUpload"
    }
  }

  depends_on = [google_project_service.api]
}
