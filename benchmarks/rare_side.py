"""Pruned CART's split_first on a rare outcome: is the tie kept, and what does it cost in privacy? (session 22)

For the seeded walk tables (HR, clinic, shop), fits Pruned CART on the 80% train split (seed 0), samples as many
rows and prints the DCR share, its excess over the ideal, copies and the rare-value excess; for HR also how
termination dates fall on leavers.

    python -m benchmarks.rare_side
"""

import warnings
import pandas as pd, synth

warnings.filterwarnings("ignore")
from benchmarks.walk_tables import hr, clinic, shop_orders

tabs = {
    "hr": (hr(), "left_company", "termination_date"),
    "clinic": (clinic(), None, None),
    "shop": (shop_orders(), None, None),
}
for name, (df, cls, dep) in tabs.items():
    tr, ho = synth.split(df, holdout=0.2, seed=0)
    m = synth.create("pruned_cart", random_state=0).fit(tr)
    s = m.sample(len(tr), seed=1)
    p = synth.evaluate_privacy(tr, s, holdout=ho, schema=m.schema_, membership=True)
    rv = synth.evaluate_rare_values(tr, s, ho, schema=m.schema_)
    mem = p.membership
    auc = getattr(mem, "auc", None) if mem is not None else None
    extra = str(pd.crosstab(s[dep].notna(), s[cls]).to_dict()) if cls else ""
    print(
        f"{name}: first={m.columns_[0].name} dcr_share={p.dcr_share:.3f} full_excess={p.dcr_share_full_excess:.3f} "
        f"copies={p.exact_copies} unique_copies={p.unique_copies} rare_excess={rv.pooled_excess:.4f} {extra}"
    )
