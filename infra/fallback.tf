# Static voice fallback: the TwiML Twilio fetches when the voice webhook fails (error,
# timeout, our functions down). It must not depend on any function, so it is one object
# in a bucket of its own, readable by anyone: callers hear a message and wait in a Twilio
# queue instead of hearing the carrier's "application error". Point the number's
# "Primary handler fails" at `terraform output twilio_voice_fallback` (method GET).
# The object holds no data: a fixed message and a queue name (variables.tf).

locals {
  twiml_bucket_name  = "${local.prefix}-twiml"
  voice_fallback_obj = "voice-fallback.xml"
  voice_fallback_url = "https://storage.googleapis.com/${local.twiml_bucket_name}/${local.voice_fallback_obj}"
}

resource "google_storage_bucket" "twiml" {
  #checkov:skip=CKV_GCP_114:Public on purpose: Twilio fetches the fallback TwiML without credentials; the bucket holds one static TwiML document and nothing else.
  #checkov:skip=CKV_GCP_62:One static public document; Cloud Audit Logs cover admin changes, an access-log bucket adds nothing.
  #checkov:skip=CKV_GCP_78:The object is rewritten from variables by Terraform; versioning would only keep old prompts.
  name                        = local.twiml_bucket_name
  project                     = var.project_id
  location                    = var.region
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  # Not "enforced": that would forbid the allUsers reader below.
  public_access_prevention = "inherited"
  force_destroy            = true
  labels                   = var.labels

  versioning {
    enabled = false
  }

  depends_on = [google_project_service.api]
}

resource "google_storage_bucket_object" "voice_fallback" {
  name          = local.voice_fallback_obj
  bucket        = google_storage_bucket.twiml.name
  content_type  = "text/xml"
  cache_control = "no-cache, max-age=0"
  # Rendered from variables whose validation forbids markup, so the XML stays well formed
  # (tests/infra renders it and compares it with what the twilio library generates).
  content = templatefile("${path.module}/twiml/voice-fallback.xml.tftpl", {
    message  = var.voice_fallback_message
    language = var.voice_fallback_language
    queue    = var.voice_fallback_queue
  })
}

resource "google_storage_bucket_iam_member" "twiml_public" {
  #checkov:skip=CKV_GCP_28:Public read on purpose: the carrier fetches this static fallback TwiML without credentials, exactly when our functions cannot answer.
  bucket = google_storage_bucket.twiml.name
  # Get objects, nothing else (objectViewer would also let anyone list the bucket).
  role   = "roles/storage.legacyObjectReader"
  member = "allUsers"
}
