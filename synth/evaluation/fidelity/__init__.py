"""Fidelity: how closely a synthetic table follows the real one (shapes, pairs, detection, diagnosis, segments)."""
