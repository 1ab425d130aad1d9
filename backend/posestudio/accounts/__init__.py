"""People and roles: users, API tokens, browser sessions, the audit log."""
