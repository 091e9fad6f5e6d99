"""``make run``'s entry point: the dashboard's libraries are imported while the server starts, not when the first
visitor arrives (the first page waited about a second longer for ``synth``, scipy and scikit-learn to load)."""

from __future__ import annotations

import sys


def main() -> None:
    from streamlit.web import cli

    import synth  # noqa: F401  (loaded once per process; every session's script then finds it loaded)
    import ui.cached
    import ui.state  # noqa: F401

    sys.argv = ["streamlit", "run", "app.py", *sys.argv[1:]]
    sys.exit(cli.main())


if __name__ == "__main__":
    main()
