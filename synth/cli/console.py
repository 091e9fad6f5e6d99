"""What the command line shows: a progress bar on a terminal only, and one-line errors with an exit code."""

from __future__ import annotations

import sys
from typing import Any, TextIO

#: Exit codes (also listed in ``synth --help``).
OK = 0
BAD_INPUT = 1  # a missing, unreadable or tampered input file
USAGE = 2  # wrong arguments (argparse's own code)
IMPOSSIBLE = 3  # a request the model cannot honour: impossible condition, bad parameter
OUTPUT = 4  # the output cannot be written: path, permissions, full disk
CANCELLED = 130  # Ctrl-C
INTERNAL = 70  # a bug: the message asks for a report

EXIT_CODES_HELP = (
    "exit codes: 0 done, 1 input file missing/unreadable/not a model, 2 wrong arguments, 3 impossible request "
    "(condition, parameter), 4 output not writable or disk full, 130 interrupted"
)


class UserError(Exception):
    """A mistake the user can fix; ``main`` prints its message on one line and exits with ``code``."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def one_line(message: str) -> str:
    return " ".join(str(message).split())


def fail(message: str, code: int, stream: TextIO | None = None) -> int:
    print(f"synth: error: {one_line(message)}", file=stream or sys.stderr)
    return code


class Progress:
    """A ``synth.progress`` callback drawing a tqdm bar on stderr, silent unless stderr is a terminal.

    With ``total`` (e.g. rows to write) the bar counts in those units; otherwise in per mille of the work.
    """

    def __init__(self, label: str, *, quiet: bool = False, total: int | None = None, unit: str = "rows") -> None:
        self.enabled = not quiet and sys.stderr.isatty()
        self.total = total or 1000
        self.bar: Any = None
        if self.enabled:
            from tqdm import tqdm

            self.bar = tqdm(
                total=self.total,
                desc=label,
                unit=unit if total else "‰",
                unit_scale=bool(total),
                leave=False,
                file=sys.stderr,
                dynamic_ncols=True,
            )

    def __call__(self, fraction: float, message: str, /) -> None:
        if self.bar is None:
            return
        self.bar.set_postfix_str(message, refresh=False)
        self.bar.update(max(0, round(min(max(fraction, 0.0), 1.0) * self.total) - self.bar.n))

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def note(message: str, *, quiet: bool = False) -> None:
    """A short result line on stderr (stdout stays for data, e.g. ``synth schema DATA`` without ``-o``)."""
    if not quiet:
        print(message, file=sys.stderr)
