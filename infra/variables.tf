# Everything a deployment chooses. Secrets are NOT variables: their values are added to
# Secret Manager out of band (see README.md), so they never reach the plan or the state.

variable "project_id" {
  description = "Google Cloud project that hosts this contact center (one company per project)."
  type        = string
}

variable "region" {
  description = "Region of the functions, the Cloud Tasks queue, the scheduler jobs and the buckets."
  type        = string
  default     = "us-central1"
}

variable "firestore_location" {
  description = "Firestore location (a region such as us-central1, or a multi-region such as nam5)."
  type        = string
  default     = "nam5"
}

variable "name_prefix" {
  description = "Prefix of bucket names (bucket names are global): defaults to the project id."
  type        = string
  default     = ""
}

variable "recordings_bucket_name" {
  description = "Override the recordings bucket name (default: <prefix>-recordings)."
  type        = string
  default     = ""
}

variable "media_bucket_name" {
  description = "Override the media bucket name (default: <prefix>-media)."
  type        = string
  default     = ""
}

variable "recordings_lifecycle_age_days" {
  description = <<-EOT
    Age (days) at which the bucket lifecycle deletes a recording: the backstop behind the
    sweeper. Cloud Storage applies lifecycle actions asynchronously (usually within a day of
    the condition), so 6 keeps every object under the 7-day promise.
  EOT
  type        = number
  default     = 6
  validation {
    condition     = var.recordings_lifecycle_age_days >= 1 && var.recordings_lifecycle_age_days <= 7
    error_message = "Recordings must never outlive 7 days: use 1..7."
  }
}

variable "media_retention_days" {
  description = "Days SmartActions media (photos, screenshots, videos, attachments) are kept: SMARTACTIONS_MEDIA_RETENTION_DAYS and the media bucket lifecycle."
  type        = number
  default     = 30
  validation {
    condition     = var.media_retention_days >= 1
    error_message = "Use at least one day."
  }
}

variable "function_memory" {
  description = "Memory of every function."
  type        = string
  default     = "512M"
}

variable "function_timeout_seconds" {
  description = "Request timeout of HTTP functions (event functions use the same; Pub/Sub acks within it)."
  type        = number
  default     = 120
}

variable "function_max_instances" {
  description = "Upper bound of instances per function."
  type        = number
  default     = 20
}

variable "function_min_instances" {
  description = "Warm instances of the public HTTP functions (carrier webhooks answer faster); 0 to save cost."
  type        = number
  default     = 0
}

variable "log_level" {
  description = "LOG_LEVEL of every function."
  type        = string
  default     = "INFO"
}

variable "config_cache_seconds" {
  description = "CONFIG_CACHE_SECONDS: how long an instance keeps the applied contact-center config."
  type        = number
  default     = 15
}

# --- carrier ---------------------------------------------------------------------------

variable "twilio_account_sid" {
  description = "Twilio Account SID (an identifier, not a secret; the auth token is in Secret Manager)."
  type        = string
}

variable "twilio_api_base" {
  description = "Twilio REST API base URL."
  type        = string
  default     = "https://api.twilio.com"
}

variable "twilio_caller_id" {
  description = "E.164 number we call and text from."
  type        = string
}

# --- CRM -------------------------------------------------------------------------------

variable "crm" {
  description = "CRM the recordings and tickets go to: zendesk or salesforce."
  type        = string
  default     = "zendesk"
  validation {
    condition     = contains(["zendesk", "salesforce"], var.crm)
    error_message = "crm must be zendesk or salesforce."
  }
}

variable "zendesk_base_url" {
  description = "Zendesk base URL, e.g. https://<subdomain>.zendesk.com."
  type        = string
  default     = ""
}

variable "zendesk_email" {
  description = "Zendesk agent email the API token belongs to."
  type        = string
  default     = ""
}

variable "salesforce_base_url" {
  description = "Salesforce instance URL, e.g. https://<domain>.my.salesforce.com."
  type        = string
  default     = ""
}

variable "salesforce_client_id" {
  description = "Salesforce connected-app client id (the client secret is in Secret Manager)."
  type        = string
  default     = ""
}

# --- company ---------------------------------------------------------------------------

variable "company_subdomain" {
  description = "Company subdomain: the Apps API Basic-auth username."
  type        = string
}

variable "jwt_leeway_seconds" {
  description = "Clock skew allowed on SDK and portal tokens."
  type        = number
  default     = 60
}

variable "custom_data_max_lifetime_seconds" {
  description = "Longest lifetime (exp - iat) accepted on SDK signed custom data."
  type        = number
  default     = 600
}

variable "apps_api_rate_limit" {
  description = "Apps API calls allowed per second for the company, across instances."
  type        = number
  default     = 10
}

variable "tts_engine" {
  description = "Text-to-speech engine in the cloud."
  type        = string
  default     = "google"
}

# --- monitoring ------------------------------------------------------------------------

variable "alert_notification_channels" {
  description = "Cloud Monitoring notification channel ids for the alert policies (empty: alerts are recorded, nobody is paged)."
  type        = list(string)
  default     = []
}

variable "labels" {
  description = "Labels on every resource that takes them."
  type        = map(string)
  default     = { app = "contact-center" }
}
