"""Supervisor monitoring: live lists, details, silent listening, chat viewing, ending, audit."""
