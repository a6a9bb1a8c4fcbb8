"""Configuration data: ``default.toml`` holds every setting's default (no code here)."""
