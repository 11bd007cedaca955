"""HTTP entry for session lifecycle: carrier status callbacks, SDK chats, assignment."""
