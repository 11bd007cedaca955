# Copy to terraform.tfvars (ignored by git) and fill in. No secret goes here: secret values
# are added to Secret Manager out of band (README.md).
project_id        = "my-contact-center"
region            = "us-central1"
company_subdomain = "acme"

twilio_account_sid = "AC..." # AC + 32 hex digits: an identifier, not a secret
twilio_caller_id   = "+15551234567"

crm              = "zendesk"
zendesk_base_url = "https://acme.zendesk.com"
zendesk_email    = "agent@acme.example"

# salesforce_base_url  = "https://acme.my.salesforce.com"
# salesforce_client_id = "..."

# alert_notification_channels = ["projects/my-contact-center/notificationChannels/123"]

# What callers hear when the voice webhook fails (static TwiML, fallback.tf):
# voice_fallback_message  = "We are sorry, our system is having a problem. Please hold."
# voice_fallback_language = "en-US"
