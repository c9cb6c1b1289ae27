"""core/tensors/ and core/charts/tensors.py against PyTorch itself and hand-derived values.

Every `Shown.code` snippet is executed and what it prints is compared with `Shown.printed`.
"""

import contextlib
import io

import numpy as np
import pytest
import torch

from core import tensors as T
from core.charts.tensors import Grid, grid_frame, tensor_grid, tensor_grids
from core.tensors.reshaping import view_fits


def run_snippet(code: str) -> tuple[str, dict]:
    """Execute one of core's own code constants; return what it printed and its namespace."""
    out, ns = io.StringIO(), {}
    with contextlib.redirect_stdout(out):
        exec(code, ns)  # our own constant snippets, filled with validated numbers
    return out.getvalue().rstrip("\n"), ns


ALL_SHOWN = {
    "rank0": lambda: T.ranks(()),
    "rank1": lambda: T.ranks((5,)),
    "rank4": lambda: T.ranks((2, 3, 2, 2)),
    **{f"create-{k}": (lambda k=k: T.create(k, seed=3)) for k in T.CREATORS},
    "create-full": lambda: T.create("full", (2, 2), value=-1.5),
    "create-arange-step": lambda: T.create("arange", start=-3, end=10, step=4),
    **{f"elementwise{op}": (lambda op=op: T.elementwise(op, (2, 3))) for op in T.ELEMENTWISE_OPS},
    "dot": lambda: T.product("dot", k=4),
    "outer": lambda: T.product("outer", n=3, m=2, pick=(2, 1)),
    "mm": lambda: T.product("mm", n=2, k=3, m=4, pick=(1, 3)),
    "bmm": lambda: T.product("@", n=2, k=3, m=2, batch=3, pick=(2, 1, 0)),
    "sum-all": lambda: T.reduce("sum", (2, 3), None),
    "mean-dim0-keep": lambda: T.reduce("mean", (3, 4), 0, True),
    "max-dim1": lambda: T.reduce("max", (3, 4), 1, False),
    "max-3d-keep": lambda: T.reduce("max", (2, 3, 2), 2, True),
    "transpose": lambda: T.transpose((2, 3, 4), 0, 2, (1, 2, 3)),
    "view-ok": lambda: T.view_vs_reshape((2, 3), (3, 2), False),
    "view-fails": lambda: T.view_vs_reshape((2, 3), (6,), True),
    "squeeze-all": lambda: T.squeeze_unsqueeze((1, 2, 1, 3), "squeeze", None),
    "unsqueeze": lambda: T.squeeze_unsqueeze((2, 3), "unsqueeze", 1),
    **{f"write {w}": (lambda w=w: T.expand_vs_repeat(3, 4, w, 50)) for w in T.WRITES},
    "index": lambda: T.index((4, 5), "1:3, ::2"),
    "index-list": lambda: T.index((3, 4), "[0, 2], -1"),
    "cat": lambda: T.cat_stack("cat", (2, 3), 1, b_size=2),
    "stack": lambda: T.cat_stack("stack", (2, 3), 2),
    "gather": lambda: T.gather((3, 4), 0, 2, seed=1).shown,
    "broadcast": lambda: T.broadcast((2, 1, 3), (4, 1)).shown,
    "broadcast-fails": lambda: T.broadcast((2, 3), (4,)).shown,
    "numpy": lambda: T.numpy_bridge((2, 3), (1, 2), 42),
}


@pytest.mark.parametrize("name", list(ALL_SHOWN))
def test_snippet_prints_what_the_page_shows(name):
    shown = ALL_SHOWN[name]()
    printed, _ = run_snippet(shown.code)
    assert printed == shown.printed
    assert "import torch" in shown.code


@pytest.mark.parametrize("name", list(ALL_SHOWN))
def test_every_view_draws(name):
    shown = ALL_SHOWN[name]()
    grids = [Grid(t, n, shown.masks.get(n), shown.labels.get(n)) for n, t in shown.tensors.items()]
    spec = tensor_grids(grids).to_dict()
    text = str(spec)
    for n in shown.tensors:
        assert n in text


# ----------------------------------------------------------------------------- ranks, creation


def test_ranks_shapes_and_values():
    s = T.ranks((2, 3, 2))
    x = s.tensors["x"]
    assert x.shape == (2, 3, 2) and x.ndim == 3
    assert x[1, 2, 1].item() == 11  # the last of 12 cells
    assert T.ranks(()).tensors["x"].ndim == 0


def test_create_matches_torch_with_manual_seed():
    torch.manual_seed(5)
    want = torch.randn(2, 3)
    assert torch.equal(T.create("randn", (2, 3), seed=5).tensors["x"], want)
    torch.manual_seed(0)
    assert torch.equal(T.create("randperm", n=7).tensors["x"], torch.randperm(7))
    assert torch.equal(T.create("eye", (2, 3)).tensors["x"], torch.tensor([[1.0, 0, 0], [0, 1, 0]]))
    assert T.create("arange", start=-3, end=10, step=4).tensors["x"].tolist() == [-3, 1, 5, 9]


def test_create_does_not_touch_the_global_rng():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    T.create("rand", (4, 4), seed=0)
    assert torch.equal(torch.rand(3), expected)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kind": "nope"},
        {"kind": "randint", "low": 5, "high": 5},
        {"kind": "arange", "start": 0, "end": 100, "step": 1},
        {"kind": "arange", "step": 0},
        {"kind": "zeros", "shape": (7, 7)},
        {"kind": "ones", "shape": (2, 2, 2, 2)},
    ],
)
def test_create_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        T.create(**kwargs)


# ----------------------------------------------------------------------------- arithmetic, products


def test_elementwise_division_by_zero_is_reported_not_raised():
    s = T.elementwise("/", (2, 3), seed=0)
    a, b, c = s.tensors.values()
    assert torch.equal(c, a / b)
    if (b == 0).any():
        assert any("inf" in n for n in s.notes)


def test_mm_pick_highlights_row_and_column_and_sums_by_hand():
    s = T.product("mm", n=2, k=3, m=2, pick=(1, 0))
    a, b = s.tensors["a"], s.tensors["b"]
    c = s.tensors[s.headline]
    assert torch.equal(c, a @ b)
    by_hand = sum(a[1, t].item() * b[t, 0].item() for t in range(3))
    assert c[1, 0].item() == by_hand
    assert s.masks["a"].tolist() == [[False] * 3, [True] * 3]
    assert s.masks["b"].tolist() == [[True, False]] * 3
    assert f"= {by_hand:g}" in s.notes[-1]


def test_batched_matmul_shapes():
    s = T.product("@", n=2, k=3, m=4, batch=3, pick=(1, 1, 2))
    c = s.tensors[s.headline]
    assert c.shape == (3, 2, 4)
    assert torch.equal(c, torch.bmm(s.tensors["a"], s.tensors["b"]))
    assert s.masks["a"].sum() == 3 and s.masks["a"][1, 1].all()
    assert s.masks["b"].sum() == 3 and s.masks["b"][1, :, 2].all()


def test_dot_and_outer():
    d = T.product("dot", k=3)
    a, b = d.tensors["a"], d.tensors["b"]
    assert d.tensors["c = torch.dot(a, b)"].item() == sum(
        x * y for x, y in zip(a.tolist(), b.tolist(), strict=True)
    )
    o = T.product("outer", n=3, m=2, pick=(2, 1))
    assert o.tensors[o.headline][2, 1] == o.tensors["a"][2] * o.tensors["b"][1]
    assert o.masks["a"].tolist() == [False, False, True]
    with pytest.raises(ValueError):
        T.product("outer", n=3, m=2, pick=(3, 0))


# ----------------------------------------------------------------------------- reductions


def test_reduce_shapes_with_and_without_keepdim():
    assert T.reduce("sum", (3, 4), 1, False).tensors["x.sum(dim=1)"].shape == (3,)
    assert T.reduce("sum", (3, 4), 1, True).tensors["x.sum(dim=1, keepdim=True)"].shape == (3, 1)
    s = T.reduce("mean", (3, 4), 0, True)
    x = s.tensors["x"]
    assert torch.allclose(s.tensors["x.mean(dim=0, keepdim=True)"], x.mean(0, keepdim=True))


def test_max_highlights_the_argmax_cells():
    s = T.reduce("max", (3, 4), 1, False, seed=2)
    x = s.tensors["x"]
    idx = s.tensors["x.max(dim=1).indices"]
    assert torch.equal(idx, x.max(dim=1).indices)
    mask = s.masks["x"]
    assert mask.sum() == 3
    for row in range(3):
        assert mask[row, idx[row]] and x[row, idx[row]] == x[row].max()
    with pytest.raises(ValueError):
        T.reduce("sum", (3, 4), 2)


# ----------------------------------------------------------------------------- memory


def test_transpose_shares_memory_and_is_not_contiguous():
    s = T.transpose((2, 3), 0, 1, (0, 2))
    x, y = s.tensors["x"], s.tensors["y"]
    assert y.stride() == (1, 3) and not y.is_contiguous()
    assert s.facts[1]["shares memory with x"] is True
    assert s.masks["x"][0, 2] and s.masks["y"][2, 0]
    assert x[0, 2] == y[2, 0]


def test_view_fails_on_transposed_tensor_with_torch_message():
    s = T.view_vs_reshape((2, 3), (6,), transposed=True)
    with pytest.raises(RuntimeError) as err:
        torch.arange(6).reshape(2, 3).t().view(6)
    assert s.error == str(err.value)
    assert "v = x.view(...)" not in s.tensors
    r = s.tensors["r = x.reshape(...)"]
    assert r.tolist() == [0, 3, 1, 4, 2, 5]
    assert {f["tensor"]: f["shares memory with x"] for f in s.facts} == {"x": True, "r": False}


def test_view_defaults_refuse_only_after_the_transpose():
    assert T.view_vs_reshape().error is None
    assert "not compatible" in T.view_vs_reshape(transposed=True).error
    assert "stride" in T.VIEW_HINT and "row-major" not in T.VIEW_HINT


@pytest.mark.parametrize("transposed", [False, True])
def test_the_view_rule_shown_is_pytorchs(transposed):
    """VIEW_HINT's rule (view_fits) agrees with torch's view for every shape the page offers."""
    cases = 0
    for rows in range(1, 5):
        for cols in range(1, 7):
            x = torch.arange(rows * cols).reshape(rows, cols)
            x = x.t() if transposed else x
            for new in T.factor_shapes(rows * cols):
                try:
                    x.view(new)
                    works = True
                except RuntimeError:
                    works = False
                assert view_fits(tuple(x.shape), x.stride(), new) is works, (rows, cols, new)
                assert (T.view_vs_reshape((rows, cols), new, transposed).error is None) is works
                cases += 1
    assert cases == 100  # every (rows, cols, new shape) the page offers


def test_view_of_a_transposed_row_works_as_the_hint_says():
    """The issue's counterexample: with one row, view flattens a transposed tensor."""
    assert torch.arange(3).reshape(1, 3).t().view(3).tolist() == [0, 1, 2]
    s = T.view_vs_reshape((1, 3), (3,), transposed=True)
    assert s.error is None and "size 1" in s.notes[1] and "stride 3 is never used" in s.notes[1]
    assert "size 1 do not count" in T.VIEW_HINT and "1 row or 1 column, view works" in T.VIEW_HINT
    refused = T.view_vs_reshape((2, 3), (6,), transposed=True)
    assert "not back to back" in refused.notes[1] and "stride (1, 3)" in refused.notes[1]


def test_view_on_contiguous_tensor_shares_memory():
    s = T.view_vs_reshape((2, 3), (3, 2))
    assert s.error is None
    assert all(f["shares memory with x"] for f in s.facts)


def test_factor_shapes():
    assert T.factor_shapes(6) == [(6,), (2, 3), (3, 2)]
    assert all(int(np.prod(s)) == 12 for s in T.factor_shapes(12))
    assert (2, 2, 3) in T.factor_shapes(12)


def test_squeeze_unsqueeze_shapes():
    assert T.squeeze_unsqueeze((1, 2, 1, 3), "squeeze", None).tensors["y"].shape == (2, 3)
    assert T.squeeze_unsqueeze((1, 2, 1, 3), "squeeze", 2).tensors["y"].shape == (1, 2, 3)
    assert T.squeeze_unsqueeze((2, 3), "unsqueeze", -1).tensors["y"].shape == (2, 3, 1)
    assert "nothing to remove" in T.squeeze_unsqueeze((2, 3), "squeeze", 0).notes[0]
    with pytest.raises(ValueError):
        T.squeeze_unsqueeze((2, 3), "unsqueeze", 4)


@pytest.mark.parametrize(
    ("write", "changed", "error"),
    [
        ("x[0, 0]", {"x", "e"}, False),
        ("e[0, 0]", {"x", "e"}, False),
        ("r[0, 0]", {"r"}, False),
        ("e[0]", set(), True),
    ],
)
def test_expand_shares_memory_repeat_copies(write, changed, error):
    s = T.expand_vs_repeat(3, 4, write, 50)
    names = {"x": "x", "e": "e = x.expand(...)", "r": "r = x.repeat(...)"}
    assert {k for k, n in names.items() if s.masks[n].any()} == changed
    assert (s.error is not None) == error
    facts = {f["tensor"]: f for f in s.facts}
    assert facts["e"]["shares memory with x"] is True and facts["e"]["stride"] == "(1, 0)"
    assert facts["r"]["shares memory with x"] is False and facts["r"]["is_contiguous"]
    if "e" in changed:  # the whole row of e changed: it is one memory location
        assert s.masks["e = x.expand(...)"][0].all()
        assert s.tensors["x"][0, 0] == 50


# ----------------------------------------------------------------------------- indexing


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("1:3, ::2", (slice(1, 3), slice(None, None, 2))),
        ("-1", (-1,)),
        ("...", (Ellipsis,)),
        ("..., 0", (Ellipsis, 0)),
        ("x[ :, 1 ]", (slice(None), 1)),
        ("None, 0", (None, 0)),
        ("[0, 2], -1", ([0, 2], -1)),
        ("1::", (slice(1, None),)),
    ],
)
def test_parse_index_accepts(text, key):
    assert T.parse_index(text) == key
    assert T.parse_index(T.format_index(key)) == key


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "1:2:3:4",
        "::0",
        "::-1",
        "..., ...",
        "__import__('os')",
        "x.__class__",
        "1,,2",
        "[0, [1]]",
        "[0, 1",
        "]",
        "1.5",
        "9999",
        "0" * 100,
        "[]",
        "lambda: 0",
    ],
)
def test_parse_index_rejects_garbage(text):
    with pytest.raises(ValueError):
        T.parse_index(text)


def test_index_masks_match_torch():
    x = torch.arange(20).reshape(4, 5)
    for text, key in [
        ("1:3, ::2", (slice(1, 3), slice(None, None, 2))),
        ("-1", (-1,)),
        (":, 1", (slice(None), 1)),
        ("[0, 2], -1", ([0, 2], -1)),
    ]:
        s = T.index((4, 5), text)
        y = s.tensors[s.headline]
        assert torch.equal(y, x[key])
        assert sorted(torch.nonzero(s.masks["x"].flatten()).flatten().tolist()) == sorted(
            x[key].flatten().tolist()
        )
    assert T.index((4, 5), "1:3, ::2").masks["x"].sum() == 6  # rows 1-2, columns 0, 2, 4


def test_index_out_of_range_is_a_readable_value_error():
    with pytest.raises(ValueError, match="out of bounds"):
        T.index((2, 3), "5")
    with pytest.raises(ValueError, match="too many indices"):
        T.index((2, 3), "0, 0, 0")


# ----------------------------------------------------------------------------- cat, stack, gather


def test_cat_and_stack_shapes_and_origin_masks():
    c = T.cat_stack("cat", (2, 3), 1, b_size=2)
    out = c.tensors["c = torch.cat([a, b], dim=1)"]
    assert out.shape == (2, 5)
    assert c.masks["c = torch.cat([a, b], dim=1)"][:, 3:].all()
    assert not c.masks["c = torch.cat([a, b], dim=1)"][:, :3].any()
    s = T.cat_stack("stack", (2, 3), 2)
    assert s.tensors["c = torch.stack([a, b], dim=2)"].shape == (2, 3, 2)
    with pytest.raises(ValueError):
        T.cat_stack("cat", (2, 3), 2)


@pytest.mark.parametrize("dim", [0, 1])
def test_gather_picks_the_cells_index_names(dim):
    g = T.gather((3, 4), dim, 2, seed=0)
    x, idx = g.shown.tensors["x"], g.shown.tensors["index"]
    y = g.shown.tensors[f"y = torch.gather(x, {dim}, index)"]
    assert torch.equal(y, torch.gather(x, dim, idx))
    for out, src in g.sources:
        assert y[out] == x[src]
        assert src[dim] == idx[out]
        assert src[1 - dim] == out[1 - dim]
        assert g.shown.masks["x"][src]
    assert int(g.shown.masks["x"].sum()) == len({s for _, s in g.sources})


def test_gather_by_hand():
    # x = [[0, 10, 20, 30], [40, 50, 60, 70], [80, 90, 100, 110]]; seed 0 gives index [[0], [3], [1]]
    g = T.gather((3, 4), 1, 1, seed=0)
    idx = g.shown.tensors["index"].flatten().tolist()
    want = [[10 * (4 * i + j)] for i, j in enumerate(idx)]
    assert g.shown.tensors["y = torch.gather(x, 1, index)"].tolist() == want


# ----------------------------------------------------------------------------- broadcasting


def test_broadcast_alignment_and_stretch_masks():
    b = T.broadcast((3, 1), (4,))
    assert b.result_shape == (3, 4) == tuple(torch.broadcast_shapes((3, 1), (4,)))
    assert b.stretched_a == [1] and b.stretched_b == [0]
    ma = b.shown.masks["a stretched to (3, 4)"]
    mb = b.shown.masks["b stretched to (3, 4)"]
    assert ma.tolist() == [[False, True, True, True]] * 3  # column 0 is a itself
    assert mb.tolist() == [[False] * 4] + [[True] * 4] * 2  # row 0 is b itself
    a, bb = b.shown.tensors["a"], b.shown.tensors["b"]
    assert torch.equal(b.shown.tensors["c = a + b"], a + bb)
    assert [r["rule"] for r in b.table] == [
        "b is stretched (missing dim counts as 1)",
        "a is stretched",
    ]


@pytest.mark.parametrize(
    ("sa", "sb"),
    [((2, 1, 3), (4, 1)), ((1,), (2, 3)), ((3, 3), (3, 3)), ((2, 3), (4,)), ((2, 1), (3, 2, 2))],
)
def test_broadcast_agrees_with_torch(sa, sb):
    b = T.broadcast(sa, sb)
    try:
        want = tuple(torch.broadcast_shapes(sa, sb))
    except RuntimeError:
        want = None
    assert b.result_shape == want
    if want is None:
        assert b.shown.error and "do not broadcast" in b.shown.error
        assert any(r["result"] == "✗" for r in b.table)


# ----------------------------------------------------------------------------- NumPy


def test_numpy_bridge_from_numpy_shares_tensor_copies():
    s = T.numpy_bridge((2, 3), (1, 2), 42)
    shared = s.tensors["shared = torch.from_numpy(a)"]
    copied = s.tensors["copied = torch.tensor(a)"]
    assert shared[1, 2] == 42 and copied[1, 2] == 5
    facts = {f["tensor"]: f for f in s.facts}
    assert facts["shared"]["shares memory with a"] and facts["shared"]["sees the write"]
    assert not facts["copied"]["shares memory with a"] and not facts["copied"]["sees the write"]
    _, ns = run_snippet(s.code)
    assert np.shares_memory(ns["shared"].numpy(), ns["a"])
    assert not np.shares_memory(ns["copied"].numpy(), ns["a"])


# ----------------------------------------------------------------------------- charts


def test_grid_frame_positions_texts_and_highlights():
    t = torch.arange(24).reshape(2, 3, 4)
    mask = torch.zeros(2, 3, 4, dtype=torch.bool)
    mask[1, 2, 3] = True
    df = grid_frame(t, mask)
    assert len(df) == 24
    cell = df[(df.fcol == 1) & (df.row == 2) & (df.col == 3)].iloc[0]
    assert cell.value == 23 and cell.text == "23" and cell.hl
    assert df.hl.sum() == 1
    floats = grid_frame(torch.tensor([0.5, float("inf"), float("nan")]))
    assert floats.text.tolist() == ["0.5", "inf", "nan"]


@pytest.mark.parametrize("shape", [(), (4,), (2, 3), (2, 2, 3), (2, 2, 2, 3)])
def test_tensor_grid_titles_and_dim_labels(shape):
    t = torch.arange(int(np.prod(shape))).reshape(shape)
    spec = str(tensor_grid(t, "x").to_dict())
    assert f"shape {shape if len(shape) != 1 else '(4,)'}" in spec
    if len(shape) >= 2:
        assert f"dim {len(shape) - 2} (rows)" in spec and f"dim {len(shape) - 1} (columns)" in spec
    if len(shape) >= 3:
        assert "'facet'" in spec


def test_tensor_grid_refuses_5d():
    with pytest.raises(ValueError):
        tensor_grid(torch.zeros(1, 1, 1, 1, 1))


# ----------------------------------------------------------------------------- in Chinese


@pytest.fixture()
def zh():
    """The real Chinese catalogue's lookup, as the page passes it to core."""
    from core.i18n import catalogue

    return catalogue("zh").gettext


def test_notes_tables_and_names_in_chinese_keep_the_numbers(zh):
    b = T.broadcast((3, 1), (4,), gettext=zh)
    assert b.result_shape == (3, 4)
    assert "a 拉伸为 (3, 4)" in b.shown.tensors and "b 拉伸为 (3, 4)" in b.shown.tensors
    assert b.shown.masks["a 拉伸为 (3, 4)"].sum() == 9  # columns 1-3 of 3 rows are repeats
    assert [r["规则"] for r in b.table] == ["b 被拉伸（缺失的维度按 1 计）", "a 被拉伸"]
    bad = T.broadcast((2, 3), (4,), gettext=zh)
    assert bad.result_shape is None and "形状 (2, 3) 和 (4,) 无法广播" in bad.shown.error
    assert "第 1 维" in bad.shown.error and "3 和 4" in bad.shown.error
    r = T.reduce("sum", (3, 4), 1, True, gettext=zh)
    assert r.notes == ["(3, 4) → 沿第 1 维 sum（该维保留为大小 1）→ (3, 1)"]
    assert T.ranks((2, 3), gettext=zh).notes == ["矩阵：2 维，形状 (2, 3)，共 6 个数"]
    facts = T.transpose((2, 3), gettext=zh).facts
    assert [f["与 x 共享内存"] for f in facts] == [True, True]
    assert [f["步长"] for f in facts] == ["(3, 1)", "(1, 3)"]
    assert T.index((4, 5), "1:3, ::2", gettext=zh).notes[0] == (
        "选中了 20 个元素中的 6 个；结果的形状为 (2, 3)"
    )


def test_bad_input_is_refused_in_chinese(zh):
    with pytest.raises(ValueError, match="切片的步长不能为 0"):
        T.index((4, 5), "::0", gettext=zh)
    with pytest.raises(ValueError, match="会得到 30 个数"):
        T.create("arange", start=-10, end=20, gettext=zh)


def test_grid_chart_titles_in_chinese(zh):
    spec = str(tensor_grids([Grid(torch.arange(24).reshape(2, 3, 4), "x")], gettext=zh).to_dict())
    assert "形状 (2, 3, 4)" in spec and "第 1 维（行）" in spec and "第 2 维（列）" in spec
    assert "第 0 维" in spec and "shape" not in spec and "rows" not in spec
