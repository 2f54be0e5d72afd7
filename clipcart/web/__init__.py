"""Layouts, static assets, authentication at the edge, errors, and shared page helpers."""
