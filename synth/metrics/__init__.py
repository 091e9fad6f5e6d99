"""Fidelity, utility and privacy metrics. Results are frozen dataclasses."""
