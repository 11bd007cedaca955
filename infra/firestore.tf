# Firestore in native mode and the composite indexes the queries need. The indexes are
# read from firestore.indexes.json (Firebase CLI format, kept next to the queries' owners)
# so that one file is the truth for both the emulator-era code and the cloud.

locals {
  indexes_file = "${path.module}/firestore.indexes.json"
  indexes_doc  = fileexists(local.indexes_file) ? jsondecode(file(local.indexes_file)) : { indexes = [], fieldOverrides = [] }

  composite_indexes = {
    for ix in try(local.indexes_doc.indexes, []) :
    join("|", concat([ix.collectionGroup, try(ix.queryScope, "COLLECTION")], [
      for f in ix.fields : "${f.fieldPath}:${try(f.order, try(f.arrayConfig, ""))}"
    ])) => ix
  }

  ttl_fields = {
    for fo in try(local.indexes_doc.fieldOverrides, []) :
    "${fo.collectionGroup}|${fo.fieldPath}" => fo if try(fo.ttl, false)
  }
}

resource "google_firestore_database" "default" {
  project                           = var.project_id
  name                              = "(default)"
  location_id                       = var.firestore_location
  type                              = "FIRESTORE_NATIVE"
  concurrency_mode                  = "OPTIMISTIC"
  point_in_time_recovery_enablement = "POINT_IN_TIME_RECOVERY_DISABLED"
  delete_protection_state           = "DELETE_PROTECTION_ENABLED"
  deletion_policy                   = "ABANDON"
  depends_on                        = [google_project_service.api]
}

resource "google_firestore_index" "composite" {
  for_each    = local.composite_indexes
  project     = var.project_id
  database    = google_firestore_database.default.name
  collection  = each.value.collectionGroup
  query_scope = try(each.value.queryScope, "COLLECTION")

  dynamic "fields" {
    for_each = each.value.fields
    content {
      field_path   = fields.value.fieldPath
      order        = try(fields.value.order, null)
      array_config = try(fields.value.arrayConfig, null)
    }
  }
}

# TTL policies declared in the same file (fieldOverrides with "ttl": true), e.g. to
# expire idempotency markers.
resource "google_firestore_field" "ttl" {
  for_each   = local.ttl_fields
  project    = var.project_id
  database   = google_firestore_database.default.name
  collection = each.value.collectionGroup
  field      = each.value.fieldPath

  ttl_config {}

  # No single-field indexes on a TTL field (Google's advice: they slow TTL deletes).
  index_config {}
}
