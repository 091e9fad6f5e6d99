"""``make run``'s entry point: the dashboard's libraries are imported while the server starts, not when the first
visitor arrives (the first page waited about a second longer for ``synth``, scipy and scikit-learn to load)."""

from __future__ import annotations

import sys


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

    sys.argv = ["streamlit", "run", "app.py", *sys.argv[1:]]
    sys.exit(cli.main())


if __name__ == "__main__":
    main()
