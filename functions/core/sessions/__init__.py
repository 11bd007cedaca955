"""Sessions store: every call and chat, its status machine, and its events."""
