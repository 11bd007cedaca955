# One source tree for every function: functions/ plus the root requirements.txt and the
# built web console (console/dist, as console_dist/), zipped by Terraform. A new object name
# per content hash makes every function redeploy on change.

locals {
  source_root = "${path.module}/../functions"
  # Text files only (file() reads UTF-8); tests/infra fails if functions/ ever holds a file
  # these patterns miss, so a new kind of asset cannot be silently left out of the deploy.
  source_patterns = ["**/*.py", "**/*.json", "**/*.yaml", "**/*.yml", "**/*.txt", "**/*.typed"]
  source_files = sort(distinct(flatten([
    for p in local.source_patterns : [
      for f in fileset(local.source_root, p) : f
      if !strcontains(f, "__pycache__") && !startswith(f, ".")
    ]
  ])))

  # The web console, built by `make console` (npm ci && npm run build in console/) before
  # `terraform apply`; the console function serves it from console_dist/ in the zip. Vite emits
  # text only (HTML, JS, CSS, SVG; no fonts: the console uses system fonts).
  console_dist    = "${path.module}/../console/dist"
  console_files   = fileexists("${local.console_dist}/index.html") ? sort(fileset(local.console_dist, "**/*.{html,js,css,svg,json}")) : []
  console_missing = !fileexists("${local.console_dist}/index.html")
}

data "archive_file" "source" {
  type        = "zip"
  output_path = "${path.module}/.build/functions-source.zip"

  dynamic "source" {
    for_each = toset(local.source_files)
    content {
      filename = source.value
      content  = file("${local.source_root}/${source.value}")
    }
  }

  dynamic "source" {
    for_each = toset(local.console_files)
    content {
      filename = "console_dist/${source.value}"
      content  = file("${local.console_dist}/${source.value}")
    }
  }

  source {
    filename = "requirements.txt"
    content  = file("${path.module}/../requirements.txt")
  }

  lifecycle {
    # Refuse to plan a deploy whose console function would have nothing to serve.
    precondition {
      condition     = !local.console_missing
      error_message = "console/dist is missing: run `make console` (npm ci && npm run build in console/) before terraform plan / apply."
    }
  }
}

resource "google_storage_bucket" "source" {
  #checkov:skip=CKV_GCP_62:Holds only build inputs (zipped source); access is audited by Cloud Audit Logs, a separate log bucket adds nothing.
  #checkov:skip=CKV_GCP_78:Each upload is a new object named by content hash; versioning would only keep garbage.
  name                        = "${local.prefix}-functions-source"
  location                    = var.region
  project                     = var.project_id
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = true
  labels                      = var.labels

  lifecycle_rule {
    condition {
      age = 30
    }
    action {
      type = "Delete"
    }
  }

  depends_on = [google_project_service.api]
}

resource "google_storage_bucket_object" "source" {
  name   = "functions-${data.archive_file.source.output_md5}.zip"
  bucket = google_storage_bucket.source.name
  source = data.archive_file.source.output_path
}
