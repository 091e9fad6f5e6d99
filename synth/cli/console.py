"""What the command line shows: a progress bar on a terminal only, and one-line errors with an exit code."""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

#: Exit codes (also listed in ``synth --help``).
OK = 0
BAD_INPUT = 1  # a missing, unreadable or tampered input file
USAGE = 2  # wrong arguments (argparse's own code), an output that is an input or exists without --overwrite
IMPOSSIBLE = 3  # a request the model cannot honour: impossible condition, bad parameter
OUTPUT = 4  # the output cannot be written: path, permissions, full disk
CANCELLED = 130  # Ctrl-C (SIGINT): 128 + 2
HANGUP = 129  # SIGHUP (the terminal closed): 128 + 1
TERMINATED = 143  # SIGTERM (kill, timeout, a scheduler): 128 + 15
INTERNAL = 70  # a bug: the message asks for a report

EXIT_CODES_HELP = (
    "exit codes: 0 done, 1 input file missing/unreadable/not a model, 2 wrong arguments (an output that is an input, "
    "an existing output without --overwrite), 3 impossible request "
    "(condition, parameter), 4 output not writable or disk full, 130 interrupted (Ctrl-C), 143 terminated "
    "(SIGTERM), 129 hung up (SIGHUP); a stopped command leaves no output behind"
)


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised where the program is like Ctrl-C's KeyboardInterrupt, so the same clean-up runs
    (a half-written output is removed) and ``main`` exits with 128 + the signal's number."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def code(self) -> int:
        return 128 + self.signum


def _stop(signum: int, frame: object) -> None:
    for other in (signal.SIGTERM, signal.SIGHUP):  # a second signal must not cut the clean-up short
        signal.signal(other, signal.SIG_IGN)
    raise Stopped(signum)


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into :class:`Stopped` while the block runs (main thread only), then restore."""
    # A signal already ignored stays ignored (``nohup synth sample ...`` keeps running when the terminal closes).
    wanted = [s for s in (signal.SIGTERM, signal.SIGHUP) if signal.getsignal(s) is not signal.SIG_IGN]
    try:
        previous = {s: signal.signal(s, _stop) for s in wanted}
    except ValueError:  # not the main thread: signals cannot be handled here
        yield
        return
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


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
    ``eta=False`` leaves out tqdm's time left, for a caller whose message says it.
    """

    def __init__(
        self, label: str, *, quiet: bool = False, total: int | None = None, unit: str = "rows", eta: bool = True
    ) -> None:
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
                # eta=False: the caller says the time left in the message (a race's runs are not linear in it)
                **({} if eta else {"bar_format": "{desc}: {percentage:3.0f}%|{bar}| {elapsed}{postfix}"}),
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
