"""The synthesizers' own error, in a module of its own so the contract and the conditioning code share it."""


class SynthesizerError(ValueError):
    """A synthesizer was used wrongly or asked for something impossible; the message says what to do."""
