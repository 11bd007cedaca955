# Every function of functions/manifest.json, deployed from the one source zip. All are
# HTTP functions: event functions are fed by the Pub/Sub push subscriptions of pubsub.tf
# (which carry the retry and dead-letter policy), not by Eventarc triggers.

locals {
  # HTTP functions Cloud Tasks calls with an OIDC token from the tasks-invoker account:
  # the recording delivery worker lives in recordings_http, and any non-public HTTP
  # function is reachable by that account only.
  tasks_targets = toset(concat(["recordings_http", "deflection_http"], [for k, v in local.http_functions : k if !v.public]))

  # The buildpacks' Python, for both kinds of deployment.
  python_runtime = "python311"
  base_image     = "${var.region}-docker.pkg.dev/serverless-runtimes/google-22/runtimes/${local.python_runtime}"
  # Where the Cloud Run services' images are pushed (Cloud Run functions keep theirs in
  # the gcf-artifacts repository Google manages).
  image_repository = "${var.region}-docker.pkg.dev/${var.project_id}/${google_artifact_registry_repository.functions.repository_id}"

  # The process environment of a function, however it is deployed. PUBLIC_URL: the
  # function's own URL, computed (not read back) to avoid a cycle.
  function_env = {
    for k, v in local.functions : k => merge(local.common_env, local.runtime_env, {
      PUBLIC_URL = local.function_urls[k]
    })
  }

  # The Cloud Run service behind every function, whichever resource deployed it.
  service_names = merge(
    { for k, f in google_cloudfunctions2_function.fn : k => f.name },
    { for k, s in google_cloud_run_v2_service.fn : k => s.name },
  )
}

resource "google_cloudfunctions2_function" "fn" {
  #checkov:skip=CKV_GCP_124:ALLOW_ALL only for the functions the manifest marks public (carriers, SDKs and the back office call them from the internet and each handler authenticates them); every other function is ALLOW_INTERNAL_ONLY.
  for_each    = local.gcf_functions
  project     = var.project_id
  name        = local.function_names[each.key]
  location    = var.region
  description = "${each.key} (${each.value.module}): ${each.value.description}"
  labels      = merge(var.labels, { entrypoint = local.function_names[each.key] })

  build_config {
    runtime         = local.python_runtime
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
    # Sizing per function, from the manifest.
    available_memory                 = each.value.memory
    timeout_seconds                  = each.value.timeout_seconds
    max_instance_request_concurrency = each.value.concurrency
    # The manifest's vCPUs if it names them; more than one request per instance needs at
    # least one whole vCPU.
    available_cpu                  = each.value.cpu != null ? each.value.cpu : (each.value.concurrency > 1 ? "1" : null)
    min_instance_count             = each.value.min_instances
    max_instance_count             = each.value.max_instances
    ingress_settings               = each.value.public ? "ALLOW_ALL" : "ALLOW_INTERNAL_ONLY"
    all_traffic_on_latest_revision = true
    service_account_email          = google_service_account.fn[each.key].email

    environment_variables = local.function_env[each.key]

    dynamic "secret_environment_variables" {
      for_each = toset(each.value.secrets)
      content {
        key        = local.secrets[secret_environment_variables.value]
        project_id = var.project_id
        secret     = google_secret_manager_secret.secret[secret_environment_variables.value].secret_id
        version    = "latest"
      }
    }
  }

  depends_on = [
    google_project_service.api,
    google_project_iam_member.build,
    google_storage_bucket_iam_member.build_source,
    google_secret_manager_secret_iam_member.fn_secret,
  ]
}

# A function that keeps its CPU between requests (manifest `cpu_always_allocated`):
# deflection_http, whose session-mark writer commits behind the answer and may then let
# marks gather even on an idle instance. Built from the same source zip with the same
# entry point and buildpacks as a Cloud Run function; docs/decisions/0005 says why.
resource "google_cloud_run_v2_service" "fn" {
  for_each    = local.run_functions
  project     = var.project_id
  name        = local.function_names[each.key]
  location    = var.region
  description = "${each.key} (${each.value.module}): ${each.value.description}"
  labels      = merge(var.labels, { entrypoint = local.function_names[each.key] })
  ingress     = each.value.public ? "INGRESS_TRAFFIC_ALL" : "INGRESS_TRAFFIC_INTERNAL_ONLY"
  # Like the functions: `terraform destroy` may remove it (it holds no data).
  deletion_protection = false

  build_config {
    source_location          = "gs://${google_storage_bucket.source.name}/${google_storage_bucket_object.source.name}"
    function_target          = each.key
    image_uri                = "${local.image_repository}/${local.function_names[each.key]}"
    base_image               = local.base_image
    enable_automatic_updates = true
    service_account          = google_service_account.build.id
  }

  template {
    service_account                  = google_service_account.fn[each.key].email
    timeout                          = "${each.value.timeout_seconds}s"
    max_instance_request_concurrency = each.value.concurrency

    scaling {
      min_instance_count = each.value.min_instances
      max_instance_count = each.value.max_instances
    }

    containers {
      # The image build_config builds from the source on every deploy.
      image          = "${local.image_repository}/${local.function_names[each.key]}"
      base_image_uri = local.base_image

      resources {
        limits = {
          cpu    = each.value.cpu
          memory = each.value.memory
        }
        # Instance-based billing: the CPU stays allocated after the last answer.
        cpu_idle          = false
        startup_cpu_boost = true
      }

      dynamic "env" {
        for_each = local.function_env[each.key]
        content {
          name  = env.key
          value = env.value
        }
      }

      dynamic "env" {
        for_each = toset(each.value.secrets)
        content {
          name = local.secrets[env.value]
          value_source {
            secret_key_ref {
              secret  = google_secret_manager_secret.secret[env.value].secret_id
              version = "latest"
            }
          }
        }
      }
    }
  }

  traffic {
    type    = "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST"
    percent = 100
  }

  depends_on = [
    google_project_service.api,
    google_project_iam_member.build,
    google_storage_bucket_iam_member.build_source,
    google_secret_manager_secret_iam_member.fn_secret,
  ]
}

# The images of the Cloud Run services above; old ones are removed.
resource "google_artifact_registry_repository" "functions" {
  #checkov:skip=CKV_GCP_84:Holds only images built from the public source zip, like the gcf-artifacts repository Cloud Run functions use; Google-managed encryption, as for the other build artifacts.
  project       = var.project_id
  location      = var.region
  repository_id = "${local.prefix}-functions"
  description   = "Images of the functions deployed as Cloud Run services (functions.tf)."
  format        = "DOCKER"
  labels        = var.labels

  cleanup_policies {
    id     = "keep-recent"
    action = "KEEP"
    most_recent_versions {
      keep_count = 5
    }
  }

  cleanup_policies {
    id     = "delete-old"
    action = "DELETE"
    condition {
      older_than = "2592000s"
    }
  }

  depends_on = [google_project_service.api]
}

# --- Invokers --------------------------------------------------------------------------

# Carriers, SDKs, the back office and portal users reach these; each handler
# authenticates the request itself (Twilio signature, SDK JWT, Basic, portal token).
resource "google_cloud_run_service_iam_member" "public_invoker" {
  #checkov:skip=CKV_GCP_102:Public on purpose: Twilio, SDKs and the back office cannot present Google credentials; every handler authenticates the request itself.
  for_each = { for k, v in local.http_functions : k => v if v.public }
  project  = var.project_id
  location = var.region
  service  = local.service_names[each.key]
  role     = "roles/run.invoker"
  member   = "allUsers"
}

# Cloud Tasks presents an OIDC token of the tasks-invoker account.
resource "google_cloud_run_service_iam_member" "tasks_invoker" {
  for_each = local.tasks_targets
  project  = var.project_id
  location = var.region
  service  = local.service_names[each.key]
  role     = "roles/run.invoker"
  member   = google_service_account.tasks_invoker.member
}

# Pub/Sub push presents an OIDC token of the pubsub-push account: the only invoker of an
# event function.
resource "google_cloud_run_service_iam_member" "push_invoker" {
  for_each = local.event_functions
  project  = var.project_id
  location = var.region
  service  = local.service_names[each.key]
  role     = "roles/run.invoker"
  member   = google_service_account.pubsub_push.member
}
