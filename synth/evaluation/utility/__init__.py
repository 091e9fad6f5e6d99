"""Utility: does a model trained on synthetic data behave like one trained on real data (TSTR, GLM)."""
