"""CRM adapters (Zendesk first, Salesforce second). Production code sees a base URL and
credentials from settings; the local suite points them at the stand-ins."""
