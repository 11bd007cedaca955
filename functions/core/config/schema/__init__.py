"""Config-as-code schema: one validated file describes the whole contact center.

Each domain has its own module; `root.ContactCenterConfig` ties them together and checks
cross references (queue ids, hours ids, roles, teams, languages).
"""

from core.config.schema.root import ContactCenterConfig

__all__ = ["ContactCenterConfig"]
