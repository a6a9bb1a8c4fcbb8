"""Complaints' pages: one module per noun."""
