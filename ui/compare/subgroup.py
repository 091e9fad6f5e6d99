"""Compare's subgroup section: every score recomputed inside a segment typed as conditions."""

from __future__ import annotations

import streamlit as st

from synth import plots
from synth.evaluation.fidelity.segments import SegmentError, example_segment, parse_conditions
from synth.synthesizers.conditional import segment_note
from ui import cached, charts, state
from ui.compare.headline import fmt, noise_color
from ui.text import md, metric_delta

SEGMENT_GAPS = (("Column shapes", "column_shapes"), ("Column pair trends", "column_pair_trends"))


def render(run_key: str, ds: state.Dataset, syn: state.SyntheticTable) -> None:
    st.subheader("Inside a subgroup")

    # The example is built from this table's own columns (an HR table has no "sex" nor "age").
    example = example_segment(ds.train, ds.schema, ds.holdout) or "column = value"

    @st.fragment
    def subgroup() -> None:
        text = st.text_input(
            "Segment",
            key="segment_filter",
            persist_state="page",  # kept while another section is open
            placeholder=example,
            help="Conditions joined by “and”: =, !=, <, <=, >, >=, in (a, b), not in (a, b), is missing, "
            "is not missing. "
            "Values with spaces go in quotes.",
        )
        if not text.strip():
            st.caption(f"Type a segment such as {md(example)} to recompute the comparison inside it.")
            return
        try:
            conditions = parse_conditions(text, list(ds.train.columns))
            seg = cached.segment(
                run_key, " and ".join(str(c) for c in conditions), conditions, ds.train, syn.df, ds.holdout, ds.schema
            )
        except SegmentError as exc:
            st.warning(f"**The segment could not be read:** {md(exc)}")
            return
        if seg.status != "ok" or seg.fidelity is None:
            st.warning(md(seg.message))
            return
        st.success(md(seg.message))
        gaps = [(label, seg.fidelity.gap(name)) for label, name in SEGMENT_GAPS]
        said = [f"{label}: {gap.verdict()}" for label, gap in gaps if gap is not None]
        st.caption(
            "Inside the segment, synthetic vs real training rows, against the real holdout rows of the same segment. "
            + ("; ".join(said) + "." if said else "Too few holdout rows in the segment for a noise band.")
            + (f" {seg.fidelity.same_size_note}" if seg.fidelity.same_size_note else "")
        )
        source = state.model_of(syn)
        note = segment_note(source.model) if source is not None else None
        if note:
            st.info(f"**{md(source.label if source else '')}:** {md(note)}")
        fid = seg.fidelity
        c = st.columns(3)
        gap = fid.gap("overall")
        c[0].metric(
            "Overall quality (segment)",
            fmt(fid.overall),
            **(metric_delta(gap.difference, 3, f" vs real holdout ({gap.reference:.3f})") if gap else {}),
            delta_color=noise_color(gap.is_real if gap else None),
        )
        c[1].metric(
            "Share of rows in the segment",
            f"{seg.share_synthetic:.1%}",
            **metric_delta(seg.share_synthetic - seg.share_real, 1, f" pp vs real ({seg.share_real:.1%})", scale=100),
            delta_color="off",
        )
        # Beside the holdout's segment as the overall score is: the caption above judged the pair trends against
        # it while the card showed the score alone.
        pairs = fid.gap("column_pair_trends")
        c[2].metric(
            "Column pair trends (segment)",
            fmt(fid.column_pair_trends),
            **(metric_delta(pairs.difference, 3, f" vs real holdout ({pairs.reference:.3f})") if pairs else {}),
            delta_color=noise_color(pairs.is_real if pairs else None),
        )
        ws = fid.worst_columns()
        seg_ref = {x.column: x.score for x in fid.reference.columns} if fid.reference else {}
        charts.plotly_chart(
            plots.score_bars(
                [x.column for x in ws],
                [x.score for x in ws],
                [seg_ref.get(x.column, float("nan")) for x in ws] if seg_ref else None,
                intervals=[x.interval for x in ws],
                title="Column shape score inside the segment",
            ),
            key="segment_score_bars",
            config={"displayModeBar": False},
        )

    subgroup()
