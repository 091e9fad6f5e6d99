"""Demo mode: large headline cards for a room, column names optionally anonymised, and a "spot the synthetic row"
game whose result is set beside the detection classifier's."""

from __future__ import annotations

import streamlit as st

from synth.evaluation.privacy.verdict_criteria import LIGHT_COLOURS, LIGHTS
from synth.evaluation.results import number
from synth.report.demo import anonymise_text, anonymous_names, spot_the_synthetic
from ui import guards, state
from ui.text import md

ds = guards.need_dataset()
result = state.current_race()
if result is None or not any(r.evaluation is not None and r.synthetic is not None for r in result.runs):
    st.title("Demo mode")
    st.info(
        "Demo mode shows scored runs to the room: run a race on the **Race** page, or add the current run on the "
        "**Report** page."
    )
    st.page_link("pages/race.py", label="Go to Race", icon=":material/leaderboard:")
    st.page_link("pages/report.py", label="Go to Report", icon=":material/description:")
    st.stop()

st.markdown(
    """<style>
.demo-card{border-radius:14px;padding:18px 22px;background:#f5f7fb;margin-bottom:10px}
.demo-card .v{font-size:3.2rem;font-weight:700;line-height:1.1}
.demo-card .l{font-size:1.2rem;color:#555}
</style>""",
    unsafe_allow_html=True,
)
scored = [r for r in result.runs if r.evaluation is not None and r.synthetic is not None]
labels = [r.label for r in scored]
top = st.columns([3, 2])
label = top[0].selectbox(
    "Synthetic table",
    labels,
    index=labels.index(result.recommended) if result.recommended in labels else 0,
    key="demo_run",
)
anonymise = top[1].toggle("Anonymise column names on screen", value=True, key="demo_anonymise")
# One mapping for every column name the page shows: the game's header and every sentence.
names = anonymous_names([str(c) for c in ds.df.columns]) if anonymise else {}
run = next(r for r in scored if r.label == label)
ev = run.evaluation
assert ev is not None and run.synthetic is not None
st.title(f"{label}: {'our pick' if label == result.recommended else 'a contender'}")


def card(column: st.delta_generator.DeltaGenerator, value: str, caption: str) -> None:
    column.markdown(
        f"<div class='demo-card'><div class='v'>{value}</div><div class='l'>{caption}</div></div>",
        unsafe_allow_html=True,
    )


cards = st.columns(4)
# The fidelity the Race page ranks by and its pick sentence quotes (not sdmetrics-style quality, another number).
card(
    cards[0],
    "—" if ev.honest_fidelity is None else number(ev.honest_fidelity, 2),
    "fidelity: 1 means as good as fresh real data (3-way accuracy and the discriminator)",
)
card(
    cards[1],
    "—" if ev.discriminator_auc is None else number(ev.discriminator_auc, 2),
    "detection AUC: 0.5 means a classifier cannot tell synthetic from real",
)
card(
    cards[2],
    "—" if ev.tstr is None else f"{number(ev.tstr, 2)} / {number(ev.trtr, 2)}",  # R² can be negative
    "a model trained on synthetic vs on real data, tested on real"
    + (f" ({md(anonymise_text(ev.utility_measure, names))})" if ev.utility_measure else ""),
)
# A coloured circle of the text font, not an emoji (a box where the browser has no emoji font).
level = ev.privacy_level
word = {"green": "low", "amber": "some", "red": "high", "grey": "n/a"}[level]
light = f"<span style='color:{LIGHT_COLOURS[level]}'>{LIGHTS[level]}</span> {word}"
card(cards[3], light, "privacy risk: do synthetic rows reveal the people in the training data?")
st.markdown(f"#### {md(anonymise_text(result.reason, names))}")

# ----------------------------------------------------------------------------- the game
st.header("Spot the synthetic row")
st.caption(
    "Half of these rows are real people from the holdout, half are synthetic. The room guesses which are "
    "synthetic; then reveal. Identifiers and personal data of real rows are replaced by synthetic ones, but the "
    "other values are real: play it only with a table you may show in this room."
)
allowed = st.checkbox("I may show real rows of this table in this room", value=False, key="demo_real_ok")
if not allowed:
    st.stop()
game_seed = st.number_input("Round", min_value=0, value=0, step=1, key="demo_round", help="A new round draws new rows.")
# Identifiers and personal data are regenerated, never learned: a real row shows a synthetic row's there.
generated = [c.name for c in ds.schema if not c.kind.is_modelled]
game = spot_the_synthetic(ds.holdout, run.synthetic, n=10, seed=int(game_seed), generated=generated)
st.dataframe(game.shown.rename(columns=names), hide_index=True, width="stretch", key="demo_rows")
guess = st.multiselect(
    "The room thinks these rows are synthetic",
    options=list(range(1, len(game.rows) + 1)),
    key=f"demo_guess_{game_seed}",
)
if st.button("Reveal", type="primary", key="demo_reveal"):
    score = game.score(guess)
    truth = [i + 1 for i, s in enumerate(game.is_synthetic) if s]
    res = st.columns(3)
    card(res[0], f"{score.accuracy:.0%}", f"the room: {score.correct} of {score.total} right")
    card(res[1], "50%", "guessing at random")
    auc = ev.discriminator_auc
    card(
        res[2],
        "—" if auc is None else f"{auc:.2f}",
        "the detection classifier's AUC (its chance of ranking a synthetic row above a real one)",
    )
    st.markdown(f"**Synthetic rows were:** {', '.join(map(str, truth))}")
