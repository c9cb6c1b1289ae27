"""The fast engine behind WrestlingEnv: the same views as rules.observe_dense, a hundred times faster.

    views.py      observe(): both players' views for a batch of states (the entry point)
    row_masks.py  discs and rings as per-row intervals of columns, kept as 40-bit masks
    lines.py      the grey lines: the original's DDA, run for thousands of views at once
    set_order.py  CPython's hash of a point and the order of a two-point set (a line's direction)
    single.py     one environment in plain Python floats, where NumPy's per-call cost dominates
    pool.py       observation arrays the caller hands back (step(reuse=True)) to be written again

Nothing here changes a result: tests/core/wrestling/test_env.py checks these views cell for cell
against observe_dense and against recordings of the original engine.
"""
