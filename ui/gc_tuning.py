"""The server's garbage collector, told once which objects are the program itself.

After every script run Streamlit calls ``gc.collect(2)`` (``runner.postScriptGC``, kept on so that memory freed by
a run goes back at once). A full collection walks every container object the process holds, and most of them are
the imported libraries (pandas, scikit-learn, scipy, plotly, Streamlit): about 0.1 s on these machines, added to
every rerun (a cached page, a column switch) though none of it is ever garbage. :func:`freeze_imports` moves the
objects that exist once the app's modules are imported into the collector's permanent generation
(:func:`gc.freeze`), so later collections walk only what runs created. Frozen objects are still freed by
reference counting; only a reference cycle among them would stay, and module-level objects live as long as the
process anyway. It runs once per process, at the first script run, before any user data is loaded.
"""

from __future__ import annotations

import gc
import threading

_lock = threading.Lock()
_frozen = False


def freeze_imports() -> bool:
    """Freeze the objects alive now (the imported modules), once per process; True the time it does."""
    global _frozen
    with _lock:
        if _frozen:
            return False
        gc.collect()  # what is garbage already goes first, so that nothing collectable is frozen
        gc.freeze()
        _frozen = True
        return True
