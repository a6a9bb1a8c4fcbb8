"""The core's own schema migrations (organisations, users, sessions, audit …)."""
