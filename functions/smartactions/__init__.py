"""SmartActions: agent requests (verification, photos, screenshot, video, text), media,
web chat attachments and call-recording redaction (SPEC capability 6)."""
