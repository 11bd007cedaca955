"""Config-as-code: schema, Firestore apply/load, runtime view and CLI."""
