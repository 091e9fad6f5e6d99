"""How long cached results of users' data live, and the upload limit: shared by every module of cached wrappers
(:mod:`ui.cached`, :mod:`ui.cached_rare_events`, :mod:`ui.cached_race`)."""

from __future__ import annotations

import os

# Cached results hold users' data (uploads, their schemas, scores, inspected records): they expire after this
# many seconds (SYNTH_CACHE_TTL_SECONDS, default one hour) so nothing stays in server memory indefinitely.
USER_DATA_TTL = int(os.environ.get("SYNTH_CACHE_TTL_SECONDS", "3600"))
CACHE_TTL = USER_DATA_TTL


def max_upload_bytes() -> int:
    """The upload limit in bytes: SYNTH_MAX_UPLOAD_MB, default 500 (server.maxUploadSize in .streamlit/config.toml)."""
    return int(float(os.environ.get("SYNTH_MAX_UPLOAD_MB", "500")) * 1024 * 1024)
