"""``make run``'s entry point: the dashboard's libraries are imported while the server starts, not when the first
visitor arrives (the first page waited about a second longer for ``synth``, scipy and scikit-learn to load), and
the demo table's Data page results are computed into the server's caches as soon as it runs (:func:`warm`)."""

from __future__ import annotations

import logging
import sys
import threading
import time

log = logging.getLogger(__name__)


def warm(timeout: float = 60.0) -> None:
    """Once the Streamlit runtime exists (its caches are the ones sessions read), compute the demo table's schema,
    split and audit into them (:func:`ui.state.warm_demo`): the first visitor's page then waited about 0.8 s less.
    A failure is logged and changes nothing: the first visitor computes them, as every visitor would otherwise."""
    from streamlit.runtime import Runtime

    deadline = time.monotonic() + timeout
    while not Runtime.exists():
        if time.monotonic() > deadline:
            return
        time.sleep(0.05)
    # Cached calls outside a script run log "missing ScriptRunContext" (their spinners have no page): expected here.
    quiet = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        from ui.state import warm_demo

        warm_demo()
    except Exception:  # never the server's concern: the first visitor computes it instead
        log.exception("warming the demo table's caches failed")
    finally:
        quiet.setLevel(level)


def main() -> None:
    from streamlit.web import cli

    import synth
    import ui.cached
    import ui.state  # noqa: F401

    # synth's names are imported on first use, and CART imports scikit-learn's trees when it grows one (so the
    # command line starts fast): load them all now, once per process, and every session's script finds them loaded.
    for name in synth.__all__:
        getattr(synth, name)
    import sklearn.tree  # noqa: F401

    threading.Thread(target=warm, name="synth-warm-demo", daemon=True).start()
    sys.argv = ["streamlit", "run", "app.py", *sys.argv[1:]]
    sys.exit(cli.main())


if __name__ == "__main__":
    main()
