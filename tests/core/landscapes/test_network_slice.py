"""The Li et al. slice: filter-normalised directions, progress events, the result's centre."""

import numpy as np
import pytest
import torch

from core.landscapes import network_slice


def test_filter_normalisation():
    model = network_slice.make_mlp(hidden=8)
    weights = {k: v.detach() for k, v in model.named_parameters()}
    d = network_slice.filter_normalised_direction(weights, torch.Generator().manual_seed(3))
    for name, w in weights.items():
        assert d[name].shape == w.shape
        if w.dim() == 1:
            assert torch.count_nonzero(d[name]) == 0
        else:
            torch.testing.assert_close(d[name].norm(dim=1), w.norm(dim=1))
            assert not torch.allclose(d[name], w)


@pytest.mark.slow
def test_li_slice_progress_and_result():
    events = list(network_slice.li_slice(resolution=7, span=1.0, epochs=60))
    assert [e.stage for e in events][-1] == "done"
    assert [e.done for e in events if e.stage == "slice"] == list(range(1, 8))
    res = events[-1].result
    assert res.loss.shape == (7, 7)
    # the centre of the slice is the trained weights: its loss is the final training loss
    model = network_slice.make_mlp()
    x, y = network_slice.toy_moons()
    assert res.loss[3, 3] == pytest.approx(res.train_loss[-1], rel=0.2)
    assert res.loss[3, 3] <= res.loss.max()
    # the 1-D line at t = 0 is the untrained model's loss
    with torch.no_grad():
        initial = torch.nn.functional.cross_entropy(model(x), y).item()
    t0 = int(np.argmin(np.abs(res.line_t)))
    assert res.line_t[t0] == pytest.approx(0.0, abs=1e-6)
    assert res.line_loss[t0] == pytest.approx(initial, rel=1e-4)


def test_shown_code_runs(capsys):
    exec(compile(network_slice.CODE_LI, "<shown code>", "exec"), {})
    assert capsys.readouterr().out.strip()


@pytest.mark.slow  # seconds of the fast loop; the whole suite runs it
def test_the_slice_polls_every_epoch_and_row_and_stops_without_a_result():
    from core.cancel import Cancelled
    from tests.core.test_cancel import flips_after

    never = flips_after(10**9)
    events = list(network_slice.li_slice(resolution=5, epochs=20, should_stop=never))
    assert events[-1].result is not None and never.polls == 20 + 5
    stop, seen = flips_after(10**9), []
    with pytest.raises(Cancelled):
        for ev in network_slice.li_slice(resolution=5, epochs=20, should_stop=stop):
            seen.append(ev)
            if ev.stage == "slice":  # the first grid row is out: stop now
                stop.checks.insert(0, ("stopped by the reader", lambda: True))
    assert [e.stage for e in seen] == ["train", "slice"]
    assert stop.polls == 20 + 2, "the next row was not computed"
