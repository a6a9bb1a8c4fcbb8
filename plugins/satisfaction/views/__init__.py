"""Satisfaction's pages: the public survey, results, recovery tasks."""
