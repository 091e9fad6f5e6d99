"""Evaluation of a synthetic table against the real one: fidelity/, utility/ and privacy/.

Results are frozen dataclasses (``results.py``), metrics declare themselves (``spec.py``), and the shared
feature encoding lives in ``features.py``.
"""
