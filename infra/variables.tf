# Everything a deployment chooses. Secrets are NOT variables: their values are added to
# Secret Manager out of band (see README.md), so they never reach the plan or the state.
# A value that would break the deploy (or the running system) is refused at plan time by
# a validation block; tests/infra checks each one with good and bad samples.

variable "project_id" {
  description = "Google Cloud project that hosts this contact center (one company per project)."
  type        = string
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id: 6-30 characters, lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "region" {
  description = "Region of the functions, the Cloud Tasks queue, the scheduler jobs and the buckets."
  type        = string
  default     = "us-central1"
  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+$", var.region))
    error_message = "region: a Google Cloud region such as us-central1 or europe-west1 (not a zone, not a multi-region)."
  }
}

variable "firestore_location" {
  description = "Firestore location (a region such as us-central1, or a multi-region such as nam5)."
  type        = string
  default     = "nam5"
  validation {
    condition     = can(regex("^(nam5|nam7|eur3|[a-z]+-[a-z]+[0-9]+)$", var.firestore_location))
    error_message = "firestore_location: a region (us-central1) or a Firestore multi-region (nam5, nam7, eur3)."
  }
}

variable "name_prefix" {
  description = "Prefix of bucket names (bucket names are global): defaults to the project id."
  type        = string
  default     = ""
  validation {
    condition     = var.name_prefix == "" || can(regex("^[a-z0-9][a-z0-9-]{1,40}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix: empty, or 3-42 lowercase letters, digits and hyphens (it starts bucket names)."
  }
}

variable "recordings_bucket_name" {
  description = "Override the recordings bucket name (default: <prefix>-recordings)."
  type        = string
  default     = ""
  validation {
    condition     = var.recordings_bucket_name == "" || can(regex("^[a-z0-9][a-z0-9_.-]{1,61}[a-z0-9]$", var.recordings_bucket_name))
    error_message = "recordings_bucket_name: empty, or a valid bucket name (3-63 lowercase letters, digits, - _ .)."
  }
}

variable "media_bucket_name" {
  description = "Override the media bucket name (default: <prefix>-media)."
  type        = string
  default     = ""
  validation {
    condition     = var.media_bucket_name == "" || can(regex("^[a-z0-9][a-z0-9_.-]{1,61}[a-z0-9]$", var.media_bucket_name))
    error_message = "media_bucket_name: empty, or a valid bucket name (3-63 lowercase letters, digits, - _ .)."
  }
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

variable "log_level" {
  description = "LOG_LEVEL of every function."
  type        = string
  default     = "INFO"
  validation {
    condition     = contains(["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"], var.log_level)
    error_message = "log_level: DEBUG, INFO, WARNING, ERROR or CRITICAL (Python logging level names, upper case)."
  }
}

variable "config_cache_seconds" {
  description = "CONFIG_CACHE_SECONDS: how long an instance keeps the applied contact-center config."
  type        = number
  default     = 15
  validation {
    condition     = var.config_cache_seconds >= 0 && var.config_cache_seconds <= 600
    error_message = "config_cache_seconds: 0..600 (a config change must reach every instance within minutes)."
  }
}

# --- carrier ---------------------------------------------------------------------------

variable "twilio_account_sid" {
  description = "Twilio Account SID (an identifier, not a secret; the auth token is in Secret Manager)."
  type        = string
  validation {
    condition     = can(regex("^AC[0-9a-f]{32}$", var.twilio_account_sid))
    error_message = "twilio_account_sid: AC followed by 32 lowercase hex digits (an Account SID, not an API key SK... or a phone number)."
  }
}

variable "twilio_api_base" {
  description = "Twilio REST API base URL."
  type        = string
  default     = "https://api.twilio.com"
  validation {
    condition     = can(regex("^https://[a-z0-9.-]+(:[0-9]+)?$", var.twilio_api_base))
    error_message = "twilio_api_base: an https:// origin without a path or trailing slash."
  }
}

variable "twilio_caller_id" {
  description = "E.164 number we call and text from."
  type        = string
  validation {
    condition     = can(regex("^\\+[1-9][0-9]{6,14}$", var.twilio_caller_id))
    error_message = "twilio_caller_id: an E.164 number, + then 7 to 15 digits, no spaces (e.g. +15551234567)."
  }
}

variable "voice_fallback_message" {
  description = "What a caller hears when the voice webhook fails (the static fallback TwiML), before waiting in the fallback queue."
  type        = string
  default     = "We are sorry, our system is having a problem. Please stay on the line and the next available agent will answer."
  validation {
    condition     = length(var.voice_fallback_message) > 0 && length(var.voice_fallback_message) <= 1000 && !can(regex("[<>&]", var.voice_fallback_message))
    error_message = "voice_fallback_message: 1-1000 characters without < > or & (it is placed in TwiML as is)."
  }
}

variable "voice_fallback_language" {
  description = "Language of the fallback message (Twilio <Say> language, e.g. en-US, ko-KR)."
  type        = string
  default     = "en-US"
  validation {
    condition     = can(regex("^[a-z]{2,3}-[A-Z]{2}$", var.voice_fallback_language))
    error_message = "voice_fallback_language: a language tag such as en-US or ko-KR."
  }
}

variable "voice_fallback_queue" {
  description = "Twilio queue the fallback TwiML puts callers in (agents dequeue them from the carrier's console or API)."
  type        = string
  default     = "fallback"
  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.voice_fallback_queue))
    error_message = "voice_fallback_queue: 1-64 letters, digits, - or _."
  }
}

# --- CRM -------------------------------------------------------------------------------

variable "crm" {
  description = "CRM the recordings, contacts, tickets and voicemails go to: zendesk or salesforce (docs/crm.md)."
  type        = string
  default     = "zendesk"
  validation {
    condition     = contains(["zendesk", "salesforce"], var.crm)
    error_message = "crm must be zendesk or salesforce."
  }
}

variable "zendesk_base_url" {
  description = "Zendesk base URL, e.g. https://<subdomain>.zendesk.com (required when crm = zendesk)."
  type        = string
  default     = ""
  validation {
    condition = (
      var.zendesk_base_url == "" ? var.crm != "zendesk" : can(regex("^https://[a-z0-9.-]+(:[0-9]+)?$", var.zendesk_base_url))
    )
    error_message = "zendesk_base_url: required with crm = zendesk; an https:// origin without a path or trailing slash."
  }
}

variable "zendesk_email" {
  description = "Zendesk agent email the API token belongs to (required when crm = zendesk)."
  type        = string
  default     = ""
  validation {
    condition = (
      var.zendesk_email == "" ? var.crm != "zendesk" : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.zendesk_email))
    )
    error_message = "zendesk_email: required with crm = zendesk; an email address."
  }
}

variable "salesforce_base_url" {
  description = "Salesforce instance URL, e.g. https://<domain>.my.salesforce.com (required when crm = salesforce)."
  type        = string
  default     = ""
  validation {
    condition = (
      var.salesforce_base_url == "" ? var.crm != "salesforce" : can(regex("^https://[a-z0-9.-]+(:[0-9]+)?$", var.salesforce_base_url))
    )
    error_message = "salesforce_base_url: required with crm = salesforce; an https:// origin without a path or trailing slash."
  }
}

variable "salesforce_client_id" {
  description = "Salesforce connected-app client id (required when crm = salesforce; the client secret is in Secret Manager)."
  type        = string
  default     = ""
  validation {
    condition     = var.salesforce_client_id != "" || var.crm != "salesforce"
    error_message = "salesforce_client_id: required with crm = salesforce."
  }
}

# --- company ---------------------------------------------------------------------------

variable "company_subdomain" {
  description = "Company subdomain: the Apps API Basic-auth username."
  type        = string
  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{0,62}$", var.company_subdomain))
    error_message = "company_subdomain: lowercase letters, digits and hyphens (the subdomain only, not a URL)."
  }
}

variable "jwt_leeway_seconds" {
  description = "Clock skew allowed on SDK and portal tokens."
  type        = number
  default     = 60
  validation {
    condition     = var.jwt_leeway_seconds >= 0 && var.jwt_leeway_seconds <= 300
    error_message = "jwt_leeway_seconds: 0..300 (more would accept tokens long expired)."
  }
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
  validation {
    condition     = var.apps_api_rate_limit >= 1 && floor(var.apps_api_rate_limit) == var.apps_api_rate_limit
    error_message = "apps_api_rate_limit: a whole number of calls per second, at least 1."
  }
}

variable "trusted_proxy_hops" {
  description = "X-Forwarded-For entries Google's infrastructure appends: 1 for the functions alone, 2 behind an external Application Load Balancer (the client address is that many entries from the end)."
  type        = number
  default     = 1
}

variable "anon_chats_per_address_per_minute" {
  description = "Anonymous (visitor-token) chat starts allowed per client address per minute, across instances."
  type        = number
  default     = 10
}

variable "anon_chats_per_visitor_per_minute" {
  description = "Chat starts allowed per anonymous visitor id per minute, across instances."
  type        = number
  default     = 3
}

variable "new_visitors_per_address_per_minute" {
  description = "New anonymous visitor ids issued per client address per minute, across instances."
  type        = number
  default     = 20
}

variable "crm_budget_per_minute" {
  description = "CRM API calls per minute for the whole deployment: the CRM plan's limit (Zendesk: e.g. 700) minus what other integrations use."
  type        = number
  default     = 700
}

variable "crm_recording_reserve" {
  description = "Share (0..1) of crm_budget_per_minute only recording delivery may use."
  type        = number
  default     = 0.3
}

variable "tts_engine" {
  description = "Text-to-speech engine in the cloud: google (Cloud Text-to-Speech). espeak exists only on the local emulator suite."
  type        = string
  default     = "google"
  validation {
    condition     = var.tts_engine == "google"
    error_message = "tts_engine: google is the only engine the cloud runtime has (espeak-ng is installed on development machines only)."
  }
}

# --- monitoring ------------------------------------------------------------------------

variable "alert_notification_channels" {
  description = "Cloud Monitoring notification channel ids for the alert policies (empty: alerts are recorded, nobody is paged)."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for c in var.alert_notification_channels : can(regex("^projects/[^/]+/notificationChannels/[0-9]+$", c))])
    error_message = "alert_notification_channels: full ids such as projects/my-project/notificationChannels/123."
  }
}

variable "labels" {
  description = "Labels on every resource that takes them."
  type        = map(string)
  default     = { app = "contact-center" }
  validation {
    condition     = alltrue([for k, v in var.labels : can(regex("^[a-z][a-z0-9_-]{0,62}$", k)) && can(regex("^[a-z0-9_-]{0,63}$", v))])
    error_message = "labels: keys and values of lowercase letters, digits, - and _ (keys start with a letter, 63 at most)."
  }
}
