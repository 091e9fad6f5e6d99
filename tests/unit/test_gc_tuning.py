"""The server's collector after :func:`ui.gc_tuning.freeze_imports`: the libraries are frozen once, and what runs
create afterwards (a user's tables, their reference cycles) is still collected."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from ui import gc_tuning


@pytest.fixture
def fresh_freeze(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(gc_tuning, "_frozen", False)
    yield
    gc.unfreeze()


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


def test_freezes_once_per_process(fresh_freeze: None) -> None:
    assert gc_tuning.freeze_imports() is True
    frozen = gc.get_freeze_count()
    assert frozen > 1000, "the imported modules' objects are moved out of the collector's way"
    user_data = [[i] for i in range(10_000)]  # containers made after the freeze, as a user's run would
    assert gc_tuning.freeze_imports() is False
    # Frozen objects can still be freed by reference counting (another thread's, or the call's own), so the
    # count may shrink a little; a second freeze would have grown it by the 10,000 lists at least.
    assert gc.get_freeze_count() <= frozen, "a second call freezes nothing more (user data may exist by then)"
    assert len(user_data) == 10_000


def test_a_cycle_made_after_the_freeze_is_still_collected(fresh_freeze: None) -> None:
    gc_tuning.freeze_imports()
    a, b = Node(), Node()
    a.other, b.other = b, a  # a reference cycle: only the collector frees it
    alive = weakref.ref(a)
    del a, b
    gc.collect()
    assert alive() is None


def test_garbage_present_at_the_freeze_is_collected_first_not_frozen(fresh_freeze: None) -> None:
    a, b = Node(), Node()
    a.other, b.other = b, a
    alive = weakref.ref(a)
    del a, b
    gc_tuning.freeze_imports()
    assert alive() is None, "a cycle that was garbage when the app froze its imports is not kept for ever"
