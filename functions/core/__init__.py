"""Shared core: settings, clients, errors, auth, config-as-code, sessions store."""
