"""Whether the pages' background work runs in the page's own thread: for the AppTest suite, which has no browser to
poll for results that land later (``SYNTH_BACKGROUND_INLINE=1``). Users always get the background path: the
Privacy page's checks (:mod:`ui.privacy_job`) and Compare's column scores fill in as they finish."""

from __future__ import annotations

import os

INLINE_ENV = "SYNTH_BACKGROUND_INLINE"


def inline() -> bool:
    """Whether background work runs at once in the page's thread (tests) rather than behind the page."""
    return os.environ.get(INLINE_ENV, "") == "1"
