"""Signing in: passwords (throttled) and one-time links by email."""
