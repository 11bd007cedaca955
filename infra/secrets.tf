# Secret containers only. Their values (versions) are added by ops out of band, so no
# secret ever appears in this code, in a plan or in the Terraform state (README.md).
resource "google_secret_manager_secret" "secret" {
  for_each  = local.secrets
  project   = var.project_id
  secret_id = replace(each.key, "_", "-")
  labels    = var.labels

  replication {
    auto {}
  }

  depends_on = [google_project_service.api]
}
