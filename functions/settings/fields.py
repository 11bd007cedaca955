"""Which config fields the Settings API's resources cover: read by the resources (where a
resource lives) and by the models built from the config schema, without either importing
the other."""

from __future__ import annotations

CENTER_FIELDS = ("name", "timezone", "support_email", "default_language", "stuck_session_hours")
# What a queue's own settings leave out (settings.models.QUEUE_OWN is the rest).
QUEUE_KEPT = ("id", "children", "notifications")
