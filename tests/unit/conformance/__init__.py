"""The synthesizer contract, checked for every registered synthesizer (see contract.py)."""
