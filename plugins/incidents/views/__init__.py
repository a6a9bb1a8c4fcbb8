"""Incidents' pages, one module per noun."""
