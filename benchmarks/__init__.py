"""Reproducible speed, quality and privacy runs against real data (and peer tools when installed)."""
