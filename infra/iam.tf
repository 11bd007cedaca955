# One service account per function, holding only what its manifest entry declares
# (secrets, topics, buckets, URL signing, task enqueueing), plus a build account and the
# accounts Cloud Tasks and Pub/Sub push sign their OIDC tokens with.

locals {
  account_ids = {
    for k, v in local.functions : k => "fn-${trimsuffix(substr(local.function_names[k], 0, 27), "-")}"
  }

  fn_publish = {
    for p in flatten([for k, f in local.functions : [for t in f.publishes : { fn = k, topic = t }]]) :
    "${p.fn}/${p.topic}" => p
  }
  fn_buckets = {
    for p in flatten([for k, f in local.functions : [for b in f.buckets : { fn = k, bucket = b }]]) :
    "${p.fn}/${p.bucket}" => p
  }
  fn_secrets = {
    for p in flatten([for k, f in local.functions : [for s in f.secrets : { fn = k, secret = s }]]) :
    "${p.fn}/${p.secret}" => p
  }
  fn_signers  = toset([for k, f in local.functions : k if f.sign_urls])
  fn_enqueuer = toset([for k, f in local.functions : k if f.enqueue_tasks])
}

resource "google_service_account" "fn" {
  for_each     = local.functions
  project      = var.project_id
  account_id   = local.account_ids[each.key]
  display_name = "Function ${each.key}"
  description  = "Runtime identity of the ${each.key} function (${each.value.module})."
  depends_on   = [google_project_service.api]
}

resource "google_service_account" "tasks_invoker" {
  project      = var.project_id
  account_id   = "tasks-invoker"
  display_name = "Cloud Tasks invoker"
  description  = "Identity in the OIDC tokens Cloud Tasks sends to the recording delivery worker."
  depends_on   = [google_project_service.api]
}

resource "google_service_account" "pubsub_push" {
  project      = var.project_id
  account_id   = "pubsub-push"
  display_name = "Pub/Sub push invoker"
  description  = "Identity in the OIDC tokens Pub/Sub push subscriptions send to the event functions."
  depends_on   = [google_project_service.api]
}

resource "google_service_account" "build" {
  project      = var.project_id
  account_id   = "functions-build"
  display_name = "Functions build"
  description  = "Cloud Build identity that builds the functions from the source zip."
  depends_on   = [google_project_service.api]
}

# --- Firestore: every function reads the applied config and sessions -------------------
resource "google_project_iam_member" "fn_datastore" {
  for_each = local.functions
  project  = var.project_id
  role     = "roles/datastore.user"
  member   = google_service_account.fn[each.key].member
}

# --- Pub/Sub: publisher on the specific topics only -----------------------------------
resource "google_pubsub_topic_iam_member" "fn_publish" {
  for_each = local.fn_publish
  project  = var.project_id
  topic    = google_pubsub_topic.topic[each.value.topic].name
  role     = "roles/pubsub.publisher"
  member   = google_service_account.fn[each.value.fn].member
}

# --- Cloud Storage: object admin on the specific bucket only --------------------------
resource "google_storage_bucket_iam_member" "fn_bucket" {
  for_each = local.fn_buckets
  bucket   = local.bucket_names[each.value.bucket]
  role     = "roles/storage.objectAdmin"
  member   = google_service_account.fn[each.value.fn].member
  depends_on = [
    google_storage_bucket.recordings,
    google_storage_bucket.media,
  ]
}

# --- Secret Manager: accessor on each mounted secret only -----------------------------
resource "google_secret_manager_secret_iam_member" "fn_secret" {
  for_each  = local.fn_secrets
  project   = var.project_id
  secret_id = google_secret_manager_secret.secret[each.value.secret].secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.fn[each.value.fn].member
}

# --- Signed URLs (V4 via IAM signBlob) need token creator on the function's own account
resource "google_service_account_iam_member" "fn_self_sign" {
  for_each           = local.fn_signers
  service_account_id = google_service_account.fn[each.key].name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = google_service_account.fn[each.key].member
}

# --- Cloud Tasks: the functions that enqueue (recordings, scheduled calls) may act as the invoker ---
resource "google_cloud_tasks_queue_iam_member" "fn_enqueue" {
  for_each = local.fn_enqueuer
  project  = var.project_id
  location = google_cloud_tasks_queue.recording_delivery.location
  name     = google_cloud_tasks_queue.recording_delivery.name
  role     = "roles/cloudtasks.enqueuer"
  member   = google_service_account.fn[each.key].member
}

resource "google_cloud_tasks_queue_iam_member" "fn_enqueue_scheduled" {
  for_each = local.fn_enqueuer
  project  = var.project_id
  location = google_cloud_tasks_queue.scheduled_callbacks.location
  name     = google_cloud_tasks_queue.scheduled_callbacks.name
  role     = "roles/cloudtasks.enqueuer"
  member   = google_service_account.fn[each.key].member
}

resource "google_service_account_iam_member" "fn_act_as_invoker" {
  for_each           = local.fn_enqueuer
  service_account_id = google_service_account.tasks_invoker.name
  role               = "roles/iam.serviceAccountUser"
  member             = google_service_account.fn[each.key].member
}

# --- Build account ---------------------------------------------------------------------
resource "google_project_iam_member" "build" {
  #checkov:skip=CKV_GCP_49:Cloud Build Service Account role is what Google documents for a custom functions build account; it belongs to a build-only account no function runs as.
  for_each = toset(concat([
    "roles/cloudbuild.builds.builder",
    "roles/artifactregistry.writer",
    "roles/logging.logWriter",
    ],
    # Functions deployed as Cloud Run services are built through Cloud Run's own source
    # deploy, which asks the build account for the Cloud Run Builder role.
    length(local.run_functions) > 0 ? ["roles/run.builder"] : [],
  ))
  project = var.project_id
  role    = each.value
  member  = google_service_account.build.member
}

resource "google_storage_bucket_iam_member" "build_source" {
  bucket = google_storage_bucket.source.name
  role   = "roles/storage.objectViewer"
  member = google_service_account.build.member
}

# --- Pub/Sub service agent ------------------------------------------------------------
# It mints the push OIDC tokens (token creator on the push account only; projects created
# before April 2021 need it, later ones get it implicitly) and forwards undeliverable
# messages: publisher on the dead-letter topic, subscriber on each push subscription.
locals {
  pubsub_agent = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
}

resource "google_pubsub_topic_iam_member" "agent_dead_letter" {
  project = var.project_id
  topic   = google_pubsub_topic.topic["dead-letter"].name
  role    = "roles/pubsub.publisher"
  member  = local.pubsub_agent
}

resource "google_pubsub_subscription_iam_member" "agent_subscriber" {
  for_each     = local.event_functions
  project      = var.project_id
  subscription = google_pubsub_subscription.push[each.key].name
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_agent
}

resource "google_service_account_iam_member" "agent_push_token" {
  service_account_id = google_service_account.pubsub_push.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_agent
}
