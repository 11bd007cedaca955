terraform {
  # 1.9: validation blocks may refer to other variables (crm and its base URL).
  required_version = ">= 1.9"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 8.0"
    }
    archive = {
      source  = "hashicorp/archive"
      version = "~> 2.6"
    }
  }

  # State lives in a GCS bucket (versioned, created once by hand: README.md "State").
  # Partial configuration: `terraform init -backend-config=backend.hcl`, where backend.hcl
  # holds `bucket = "..."` and `prefix = "..."`; nothing project-specific is committed.
  backend "gcs" {}
}

provider "google" {
  project = var.project_id
  region  = var.region
}
