"""Tensors: the lecture's tensor section as coloured grids you can poke.

Pick a topic, move the widgets; every view shows the key line of code, the grids, what
`print` writes and (folded) the whole snippet.
"""

from collections.abc import Callable

import pandas as pd
import streamlit as st

from app_pages import i18n, predict, ui
from app_pages.i18n import _, pgettext
from core import tensors as T
from core.charts.tensors import Grid, grids_key, tensor_grids
from core.i18n import N_
from core.shareable import Param

TOPICS = {  # the keys are in links; the titles are translated where shown
    "ranks": N_("Scalars, vectors, matrices, n-d tensors"),
    "creation": N_("Creating tensors"),
    "arithmetic": N_("Arithmetic, cell by cell"),
    "products": N_("dot, outer, mm and batched @"),
    "reductions": N_("sum / mean / max along a dim"),
    "transpose": N_("Transpose"),
    "view": N_("view vs reshape"),
    "squeeze": N_("squeeze / unsqueeze"),
    "expand": N_("expand vs repeat (memory sharing)"),
    "indexing": N_("Indexing and slicing"),
    "cat": N_("cat and stack"),
    "gather": N_("gather"),
    "broadcasting": N_("Broadcasting"),
    "numpy": N_("The NumPy bridge"),
}
PARAMS = [Param("topic", default="ranks", options=tuple(TOPICS))]
GRID_BUDGET_PX = 620  # the chart column's width on a 1400 px wide window
PRESENTER_BUDGET_PX = 900  # the chart column's width on the projector, the sidebar folded
MAX_SIZE_BY_DIMS = {1: 6, 2: 6, 3: 4, 4: 3}


# ----------------------------------------------------------------------------- helpers


def shape_input(
    key: str, default: tuple[int, ...], min_dims: int = 1, max_dims: int = 2, min_size: int = 1
) -> tuple[int, ...]:
    """A dims slider and one size slider per dim (each dims count keeps its own sliders)."""
    nd = default_nd = len(default)
    if max_dims > min_dims:
        nd = st.slider(_("Number of dims"), min_dims, max_dims, default_nd, key=f"{key}_nd")
    top = MAX_SIZE_BY_DIMS.get(nd, 6)
    shape = []
    for d in range(nd):
        start = default[d] if d < len(default) and nd == default_nd else 2
        shape.append(
            st.slider(
                _("size of dim {d}").format(d=d),
                min_size,
                top,
                min(start, top),
                key=f"{key}_{nd}d_{d}",
            )
        )
    return tuple(shape)


def draw(shown: T.Shown, names: list[str] | None = None) -> None:
    """The grids of a Shown in one chart, packed into rows that fit the page."""
    names = names or list(shown.tensors)
    grids = [Grid(shown.tensors[n], n, shown.masks.get(n), shown.labels.get(n)) for n in names]
    budget = PRESENTER_BUDGET_PX if ui.presenter_mode() else GRID_BUDGET_PX
    ui.chart(
        ("tensor grids", budget, grids_key(grids)),
        lambda: tensor_grids(grids, budget=budget, gettext=i18n.translator()),  # styled there
        style=False,
        width="content",
    )


def report(
    shown: T.Shown,
    names: list[str] | None = None,
    friendly: str | None = None,
    table: list[dict] | None = None,
) -> None:
    """Headline code, the grids (the slide's picture, right under its line of code), notes, a
    rule table, memory facts, printed output and the full snippet."""
    st.code(shown.headline, language="python")
    if shown.error:
        said = _("PyTorch's message: `{error}`").format(error=shown.error)
        headline = friendly or _("PyTorch refused.")
        st.warning(f"{headline}\n\n{said}", icon=":material/info:")
    draw(shown, names)
    for note in shown.notes:
        st.markdown(f"**{note}**" if note is shown.notes[0] else note)
    if table:
        ui.table(pd.DataFrame(table))
    if shown.facts:
        ui.table(pd.DataFrame(shown.facts))
    st.markdown("**{}**".format(_("What `print` shows")))
    st.code(shown.printed, language="text", wrap_lines=True)  # a long error fits its column
    ui.show_code(shown.code, _("Show the code"))


def invalid(err: ValueError) -> None:
    """A user choice core refused: say why, friendly, no traceback."""
    st.warning(str(err), icon=":material/edit_note:")


def _all_or_dim() -> Callable[[object], str]:
    """Shows a dim option: "all" in the visitor's language, a dim as its number. (The words are
    looked up now, in this run: AppTest calls a format_func outside the script's session.)"""
    every = _("all")
    return lambda option: every if option == "all" else str(option)


def dim_choice(label: str, ndim: int, key: str, allow_all: bool = False, default: int = 0):
    """A selectbox of dims 0..ndim-1 (and 'all' when allowed)."""
    options = (["all"] if allow_all else []) + list(range(ndim))
    choice = st.selectbox(
        label,
        options,
        index=options.index(min(default, ndim - 1)),
        key=key,
        format_func=_all_or_dim(),
    )
    return None if choice == "all" else int(choice)


# ----------------------------------------------------------------------------- topics


def ranks() -> None:
    ui.explain(
        _(
            "A tensor is a box of numbers with a **shape**. Zero dims: a scalar. One: a vector. "
            "Two: a matrix (dim 0 counts rows, dim 1 columns). A 3-d tensor is a row of matrices, "
            "a 4-d one a grid of them, like a batch of images with channels."
        )
    )
    left, right = st.columns([1, 4])
    with left:
        nd = st.select_slider(
            _("Kind"),
            options=[0, 1, 2, 3, 4],
            value=2,
            key="ranks_nd",
            format_func={d: _(name) for d, name in T.RANK_NAMES.items()}.__getitem__,
        )
        shape = shape_input(f"ranks{nd}", (2, 3, 2, 2)[:nd], nd, nd) if nd else ()
    with right:
        report(T.ranks(shape, gettext=i18n.translator()))


def creation() -> None:
    ui.explain(_("Factory functions build tensors of a given shape; the random ones are seeded."))
    left, right = st.columns([1, 4])
    with left:
        kind = st.selectbox(_("Function"), T.CREATORS, index=4, key="create_kind")
        kw: dict = {}
        if kind in ("zeros", "ones", "full", "rand", "randn", "randint"):
            kw["shape"] = shape_input("create", (2, 3), 1, 3)
        if kind == "eye":
            kw["shape"] = (
                st.slider(_("rows"), 1, 6, 3, key="create_eye_n"),
                st.slider(_("columns"), 1, 6, 3, key="create_eye_m"),
            )
        if kind == "full":
            kw["value"] = st.number_input(
                _("fill value"), -99.0, 99.0, 7.0, 0.5, key="create_value"
            )
        if kind == "randint":
            kw["low"], kw["high"] = st.slider(
                _("low, high (high excluded)"), -9, 10, (0, 10), key="create_range"
            )
        if kind == "arange":
            kw["start"], kw["end"] = st.slider(
                _("start, end (end excluded)"), -10, 20, (0, 6), key="create_arange"
            )
            kw["step"] = st.slider(pgettext("arange", "step"), 1, 5, 1, key="create_step")
        if kind == "randperm":
            kw["n"] = st.slider("n", 1, 12, 6, key="create_n")
        if kind in T.RANDOM_CREATORS:
            kw["seed"] = st.number_input(_("seed"), 0, 9999, 0, key="create_seed")
    with right:
        try:
            report(T.create(kind, **kw, gettext=i18n.translator()))
        except ValueError as err:
            invalid(err)


def arithmetic() -> None:
    ui.explain(_("`+ - * / **` work cell by cell on tensors of the same shape."))
    left, right = st.columns([1, 4])
    with left:
        op = st.radio(_("Operator"), T.ELEMENTWISE_OPS, key="arith_op", horizontal=True)
        shape = shape_input("arith", (2, 3), 1, 2)
    with right:
        report(T.elementwise(op, shape, gettext=i18n.translator()))


def products() -> None:
    ui.explain(
        _(
            "Products combine cells: `dot` adds up a cell-by-cell product, `outer` multiplies "
            "every pair, `mm` takes rows of `a` against columns of `b`, and `@` does one matrix "
            "product per batch entry. Pick an output cell to see where it comes from."
        )
    )
    left, right = st.columns([1, 4])
    with left:
        kind = st.radio(_("Product"), T.PRODUCTS, index=2, key="prod_kind", horizontal=True)
        batch = st.slider(_("batch size"), 1, 3, 2, key="prod_batch") if kind == "@" else 1
        n = st.slider(_("rows of a (n)"), 1, 4, 2, key="prod_n") if kind != "dot" else 1
        k = st.slider(_("inner size (k)"), 1, 4, 3, key="prod_k") if kind != "outer" else 1
        m = st.slider(_("columns of b (m)"), 1, 4, 2, key="prod_m") if kind != "dot" else 1
        pick: tuple = ()
        if kind != "dot":
            bi: tuple = ()
            if kind == "@":
                bi = (
                    st.slider(_("output batch"), 0, batch - 1, 0, key="prod_bi")
                    if batch > 1
                    else 0,
                )
            i = st.slider(_("output row i"), 0, n - 1, 0, key="prod_i") if n > 1 else 0
            j = st.slider(_("output column j"), 0, m - 1, 0, key="prod_j") if m > 1 else 0
            pick = (*bi, i, j)
    with right:
        if kind == "mm":
            st.latex(r"c_{ij} = \sum_k a_{ik}\, b_{kj}")
        report(T.product(kind, n=n, k=k, m=m, batch=batch, pick=pick, gettext=i18n.translator()))


def reductions() -> None:
    ui.explain(
        _(
            "A reduction collapses one dim: `dim=1` adds (or averages, or maxes) along the "
            "columns, leaving one number per row. `keepdim=True` keeps that dim as size 1 so the "
            "result still broadcasts against `x`. `max` along a dim also returns **indices**: "
            "outlined in `x`."
        )
    )
    left, right = st.columns([1, 4])
    with left:
        op = st.radio(_("Reduction"), T.REDUCTIONS, key="red_op", horizontal=True)
        shape = shape_input("red", (3, 4), 1, 3)
        dim = dim_choice(_("along dim"), len(shape), "red_dim", allow_all=True, default=1)
        keepdim = st.toggle("keepdim", key="red_keepdim", disabled=dim is None)
        seed = st.number_input(_("seed"), 0, 9999, 0, key="red_seed")
    with right:
        keep = keepdim and dim is not None
        report(T.reduce(op, shape, dim, keep, seed, gettext=i18n.translator()))


def transpose() -> None:
    ui.explain(
        _(
            "Transpose swaps two dims. Nothing is copied: the new tensor reads the same memory "
            "with its strides swapped, so it is no longer *contiguous*. Follow one cell."
        )
    )
    left, right = st.columns([1, 4])
    with left:
        shape = shape_input("tr", (2, 3), 2, 3)
        d0 = dim_choice("dim0", len(shape), "tr_d0", default=0)
        d1 = dim_choice("dim1", len(shape), "tr_d1", default=1)
        pick = tuple(
            st.slider(
                _("follow cell: index {d}").format(d=d),
                0,
                s - 1,
                0,
                key=f"tr_pick{len(shape)}_{d}",
            )
            if s > 1
            else 0
            for d, s in enumerate(shape)
        )
    with right:
        report(T.transpose(shape, d0, d1, pick, gettext=i18n.translator()))


def view() -> None:
    ui.explain(_(T.VIEW_HINT))
    left, right = st.columns([1, 4])
    with left:
        rows = st.slider(_("rows of x"), 1, 4, 2, key="view_rows")
        cols = st.slider(_("columns of x"), 1, 6, 3, key="view_cols")
        transposed = st.toggle(_("x = x.t() first"), key="view_t")
        options = [s for s in T.factor_shapes(rows * cols) if len(s) <= 3]
        new = st.selectbox(  # default: flatten, which view refuses once x is transposed
            _("new shape"),
            options,
            index=0,
            key=f"view_new_{rows * cols}",
            format_func=lambda s: str(s),
        )
    with right:
        if not predict.ask("tensors.view_transposed"):
            return
        report(
            T.view_vs_reshape((rows, cols), new, transposed, gettext=i18n.translator()),
            friendly=_(
                "`x.view(...)` failed: the new shape is not compatible with x's strides (it "
                "merges dims that the transpose left apart in memory). Use `x.reshape(...)`, "
                "which copies, or `x.contiguous().view(...)`."
            ),
        )


def squeeze() -> None:
    ui.explain(
        _(
            "`squeeze` drops dims of size 1; `unsqueeze(d)` inserts one at position `d`. The "
            "cells never move; only the shape changes."
        )
    )
    left, right = st.columns([1, 4])
    with left:
        op = st.radio(_("Operation"), ["squeeze", "unsqueeze"], key="sq_op", horizontal=True)
        max_dims = 3 if op == "unsqueeze" else 4
        shape = shape_input(f"sq_{op}", (2, 1, 3), 1, max_dims)
        nd = len(shape)
        if op == "squeeze":
            options = ["all", *range(nd)]
            choice = st.selectbox(
                "dim",
                options,
                index=min(2, len(options) - 1) if 1 in shape else 0,
                key=f"sq_dim_{nd}",
                format_func=_all_or_dim(),
            )
            dim = None if choice == "all" else int(choice)
        else:
            dim = st.selectbox(
                "dim", list(range(-nd - 1, nd + 1)), index=nd + 1, key=f"usq_dim_{nd}"
            )
    with right:
        report(T.squeeze_unsqueeze(shape, op, dim, gettext=i18n.translator()))


def expand() -> None:
    ui.explain(
        _(
            "`x.expand` makes a bigger tensor **without copying**: along the expanded dim the "
            "stride is 0, so every column reads the same memory. `x.repeat` really copies. Write "
            "into one of them and see which tensors change (changed cells are outlined)."
        )
    )
    left, right = st.columns([1, 4])
    with left:
        rows = st.slider(_("rows of x"), 1, 5, 3, key="exp_rows")
        times = st.slider(_("columns after expand / repeat"), 1, 6, 4, key="exp_times")
        write = st.radio(_("write"), T.WRITES, key="exp_write")
        value = st.slider(_("value written"), -9, 100, 100, key="exp_value")
    with right:
        report(
            T.expand_vs_repeat(rows, times, write, value, gettext=i18n.translator()),
            friendly=_(
                "Writing a whole row of `e` at once is refused: all of its cells are one memory "
                "location. Single cells are allowed, and change the whole row."
            ),
        )


def indexing() -> None:
    ui.explain(
        _(
            "Index like Python lists, one entry per dim, separated by commas: a number (`-1` "
            "counts from the end), a slice `start:stop:step`, `...` for 'all the remaining "
            "dims', `None` for a new dim of size 1, or a list like `[0, 2]`. The picked cells "
            "are outlined."
        )
    )
    left, right = st.columns([1, 4])
    with left:
        shape = shape_input("idx", (4, 5), 1, 3)
        preset = st.selectbox(
            _("examples"),
            ["1:3, ::2", "-1", "..., 0", ":, 1", "[0, 2]", "1:, 1:", "None, 0"],
            key="idx_preset",
        )
        text = st.text_input("x[ ... ]", value=preset, max_chars=60, key=f"idx_text_{preset}")
    with right:
        try:
            report(T.index(shape, text, gettext=i18n.translator()))
        except ValueError as err:
            invalid(err)


def cat() -> None:
    ui.explain(
        _(
            "`torch.cat` glues tensors along an **existing** dim (the other sizes must match); "
            "`torch.stack` puts same-shaped tensors along a **new** dim."
        )
    )
    left, right = st.columns([1, 4])
    with left:
        op = st.radio(_("Operation"), ["cat", "stack"], key="cat_op", horizontal=True)
        rows = st.slider(_("rows of a"), 1, 4, 2, key="cat_rows")
        cols = st.slider(_("columns of a"), 1, 4, 3, key="cat_cols")
        dim = st.selectbox("dim", [0, 1, 2] if op == "stack" else [0, 1], key=f"cat_dim_{op}")
        b_size = None
        if op == "cat":
            b_size = st.slider(
                _("size of b along dim {dim}").format(dim=dim),
                1,
                4,
                (rows, cols)[dim],
                key=f"cat_b{dim}",
            )
    with right:
        report(T.cat_stack(op, (rows, cols), dim, b_size, gettext=i18n.translator()))


def gather() -> None:
    ui.explain(
        _(
            "`torch.gather(x, dim, index)` reads, for every cell of `index`, one cell of `x`: "
            "along `dim` it goes where `index` says, along the other dim it stays put. In RL "
            "this picks the Q-value of the action taken: `q.gather(1, actions.unsqueeze(1))`."
        )
    )
    left, right = st.columns([1, 4])
    with left:
        rows = st.slider(_("rows of x"), 1, 5, 3, key="g_rows")
        cols = st.slider(_("columns of x"), 1, 5, 4, key="g_cols")
        dim = st.selectbox("dim", [0, 1], index=1, key="g_dim")
        picks_label = _("picks per column") if dim == 0 else _("picks per row")
        picks = st.slider(picks_label, 1, 5, 1, key="g_picks")
        seed = st.number_input(_("seed (for index)"), 0, 9999, 0, key="g_seed")
    with right:
        st.latex(
            r"y_{ij} = x_{\,\mathrm{index}_{ij},\ j}"
            if dim == 0
            else r"y_{ij} = x_{i,\ \mathrm{index}_{ij}}"
        )
        report(T.gather((rows, cols), dim, picks, seed, gettext=i18n.translator()).shown)


def broadcasting() -> None:
    ui.explain(
        _(
            "To combine tensors of different shapes, PyTorch lines the shapes up **from the "
            "right**. In each dim the sizes must be equal or one of them 1; a size-1 (or "
            "missing) dim is stretched by reading the same cells again. Outlined cells are those "
            "repeats."
        )
    )
    left, right = st.columns([1, 4])
    with left:
        st.markdown("**{}**".format(_("shape of a")))
        sa = shape_input("bc_a", (3, 1), 1, 3)
        st.markdown("**{}**".format(_("shape of b")))
        sb = shape_input("bc_b", (4,), 1, 3)
    with right:
        if not predict.ask("tensors.broadcast_shape"):
            return
        result = T.broadcast(sa, sb, gettext=i18n.translator())
        if result.result_shape is None:
            st.warning(result.shown.error, icon=":material/block:")
            result.shown.error = None
        report(result.shown, table=result.table)


def numpy_bridge() -> None:
    ui.explain(
        _(
            "`torch.from_numpy(a)` wraps the NumPy array's memory: change `a` and the tensor "
            "changes too. `torch.tensor(a)` copies, so it keeps the old numbers."
        )
    )
    left, right = st.columns([1, 4])
    with left:
        rows = st.slider(_("rows"), 1, 4, 2, key="np_rows")
        cols = st.slider(_("columns"), 1, 5, 3, key="np_cols")
        i = st.slider(_("write row"), 0, rows - 1, 0, key="np_i") if rows > 1 else 0
        j = (
            st.slider(_("write column"), 0, cols - 1, min(1, cols - 1), key="np_j")
            if cols > 1
            else 0
        )
        value = st.slider(_("value"), -9, 99, 99, key="np_value")
    with right:
        report(T.numpy_bridge((rows, cols), (i, j), value, gettext=i18n.translator()))


RENDER = {
    "ranks": ranks,
    "creation": creation,
    "arithmetic": arithmetic,
    "products": products,
    "reductions": reductions,
    "transpose": transpose,
    "view": view,
    "squeeze": squeeze,
    "expand": expand,
    "indexing": indexing,
    "cat": cat,
    "gather": gather,
    "broadcasting": broadcasting,
    "numpy": numpy_bridge,
}

# ----------------------------------------------------------------------------- page

ui.load_settings(PARAMS)
topic = ui.title(_("Tensors")).selectbox(
    _("Topic"),
    list(TOPICS),
    format_func={k: _(title) for k, title in TOPICS.items()}.__getitem__,  # looked up now
    key="topic",
    label_visibility=ui.selector_label(),
)
ui.publish_settings(PARAMS)
if not ui.presenter_mode():  # on a slide the topic box already names it
    st.subheader(_(TOPICS[topic]))
RENDER[topic]()
