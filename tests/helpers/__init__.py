"""Plain helper modules of the tests (conftest files hold fixtures only)."""
