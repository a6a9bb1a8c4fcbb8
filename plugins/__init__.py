"""Plugins that ship with Accord, registered exactly like third-party ones."""
