# Every function of functions/manifest.json, deployed from the one source zip. All are
# HTTP functions: event functions are fed by the Pub/Sub push subscriptions of pubsub.tf
# (which carry the retry and dead-letter policy), not by Eventarc triggers.

locals {
  # HTTP functions Cloud Tasks calls with an OIDC token from the tasks-invoker account:
  # the recording delivery worker lives in recordings_http, and any non-public HTTP
  # function is reachable by that account only.
  tasks_targets = toset(concat(["recordings_http", "deflection_http"], [for k, v in local.http_functions : k if !v.public]))
}

resource "google_cloudfunctions2_function" "fn" {
  #checkov:skip=CKV_GCP_124:ALLOW_ALL only for the functions the manifest marks public (carriers, SDKs and the back office call them from the internet and each handler authenticates them); every other function is ALLOW_INTERNAL_ONLY.
  for_each    = local.functions
  project     = var.project_id
  name        = local.function_names[each.key]
  location    = var.region
  description = "${each.key} (${each.value.module}): ${each.value.description}"
  labels      = merge(var.labels, { entrypoint = local.function_names[each.key] })

  build_config {
    runtime         = "python311"
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

    # PUBLIC_URL: the function's own URL, computed (not read back) to avoid a cycle.
    environment_variables = merge(local.common_env, local.runtime_env, {
      PUBLIC_URL = local.function_urls[each.key]
    })

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

# --- Invokers --------------------------------------------------------------------------

# Carriers, SDKs, the back office and portal users reach these; each handler
# authenticates the request itself (Twilio signature, SDK JWT, Basic, portal token).
resource "google_cloud_run_service_iam_member" "public_invoker" {
  #checkov:skip=CKV_GCP_102:Public on purpose: Twilio, SDKs and the back office cannot present Google credentials; every handler authenticates the request itself.
  for_each = { for k, v in local.http_functions : k => v if v.public }
  project  = var.project_id
  location = var.region
  service  = google_cloudfunctions2_function.fn[each.key].name
  role     = "roles/run.invoker"
  member   = "allUsers"
}

# Cloud Tasks presents an OIDC token of the tasks-invoker account.
resource "google_cloud_run_service_iam_member" "tasks_invoker" {
  for_each = local.tasks_targets
  project  = var.project_id
  location = var.region
  service  = google_cloudfunctions2_function.fn[each.key].name
  role     = "roles/run.invoker"
  member   = google_service_account.tasks_invoker.member
}

# Pub/Sub push presents an OIDC token of the pubsub-push account: the only invoker of an
# event function.
resource "google_cloud_run_service_iam_member" "push_invoker" {
  for_each = local.event_functions
  project  = var.project_id
  location = var.region
  service  = google_cloudfunctions2_function.fn[each.key].name
  role     = "roles/run.invoker"
  member   = google_service_account.pubsub_push.member
}
