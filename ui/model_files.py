"""Fitted models as downloadable bytes and back (synth's save/load work on paths)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import synth


def to_bytes(model: synth.Synthesizer) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.synth"
        model.save(path)
        return path.read_bytes()


def from_bytes(data: bytes) -> synth.Synthesizer:
    """Load a model file; loading never executes code from it (no pickle)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.synth"
        path.write_bytes(data)
        return synth.load_model(path)
