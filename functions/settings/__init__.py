"""Settings API: every part of the config file as a JSON resource, edited through the one
transactional write path of the config store."""
