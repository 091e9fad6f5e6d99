"""Streamlit-side helpers: session state, cached wrappers around synth, progress. Pages stay thin."""
