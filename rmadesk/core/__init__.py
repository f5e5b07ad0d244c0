"""Foundations shared by the Django apps: the clock; later audit events, numbering, permissions."""
