"""AppTest: peer synthesizers on the Synthesize page (fake libraries from tests/peer_fakes.py).

A peer appears when its library is installed, fits next to ours, says it cannot be saved instead of offering a
download, and a peer that fails shows its own error while the other synthesizers still fit.
"""

from __future__ import annotations

import pytest

from tests.app.helpers import goto, start
from tests.peer_fakes import FakeCTGAN, install_fake_sdv


def test_peers_fit_beside_ours_and_a_failing_peer_is_reported_in_its_place(monkeypatch: pytest.MonkeyPatch) -> None:
    install_fake_sdv(monkeypatch)
    monkeypatch.setattr(FakeCTGAN, "fail_with", MemoryError())
    at = goto(start(), "synthesize")
    options = at.multiselect(key="synthesizer_choice").options
    assert {"SDV Gaussian copula (peer)", "SDV CTGAN (peer)", "SDV TVAE (peer)"} <= set(options)
    at.multiselect(key="synthesizer_choice").set_value(["independent", "sdv_ctgan", "sdv_gaussian_copula"]).run()
    at.button(key="fit_button").click().run()
    assert not at.exception
    assert [m.name for m in at.session_state["fitted_models"]] == ["independent", "sdv_gaussian_copula"]
    errors = " ".join(e.value for e in at.error)
    assert "SDV CTGAN (peer) could not be fitted" in errors and "ran out of memory" in errors
    assert at.session_state["fitted"].name == "sdv_gaussian_copula"
    assert any("cannot be saved" in i.value for i in at.info)
    assert not at.get("download_button"), "no download is offered for a model that cannot be saved"
    assert any("in memory only" in m.value for m in at.markdown)


def test_without_the_library_no_peer_is_offered(monkeypatch: pytest.MonkeyPatch) -> None:
    from synth.synthesizers import registry

    for name in ("sdv_gaussian_copula", "sdv_ctgan", "sdv_tvae", "mostlyai_argn"):
        monkeypatch.setitem(registry._PEERS, name, ("synth_no_such_library", "sdv"))
    at = goto(start(), "synthesize")
    assert not any("(peer)" in o for o in at.multiselect(key="synthesizer_choice").options)
