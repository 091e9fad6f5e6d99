"""``python -m synth``: the ``synth`` command line (the same as ``python -m synth.cli``)."""

import sys

from synth.cli import main

sys.exit(main())
