"""The site shell: base templates and static files shared by every plugin (no logic)."""
