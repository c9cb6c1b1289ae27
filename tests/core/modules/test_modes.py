"""core.modules.modes: train() vs eval() through Dropout and BatchNorm1d, against PyTorch."""

import pytest
import torch

from core.modules import modes


def test_train_differs_eval_repeats():
    r = modes.modes(p=0.5, batch=4, batchnorm=True)
    assert modes.same_twice(r) == {"train": False, "eval": True}
    assert r.running_mean["before"] == [0.0] * 8 and r.running_mean["after"] != [0.0] * 8


def test_without_dropout_train_repeats_too():
    r = modes.modes(p=0.0, batch=4, batchnorm=True)
    assert modes.same_twice(r) == {"train": True, "eval": True}
    assert not torch.equal(r.outputs["train, call 1"], r.outputs["eval, call 1"])  # BatchNorm


def test_masks_are_zeros_and_scaled_ones():
    p = 0.25
    r = modes.modes(p=p)
    for name in ("train, call 1", "train, call 2"):
        m = r.masks[name]
        assert torch.all((m == 0) | torch.isclose(m, torch.tensor(1 / (1 - p))))
        assert (m == 0).any() and (m != 0).any()
    assert torch.equal(r.masks["eval"], torch.ones(modes.MASK_SHAPE))


@pytest.mark.parametrize("bn", [True, False])
def test_shown_code_matches(bn, capsys):
    r = modes.modes(p=0.3, batch=5, batchnorm=bn, seed=3)
    ns: dict = {}
    exec(r.code, ns)  # our own snippet
    capsys.readouterr()
    model, x = ns["model"], ns["x"]
    model.eval()
    with torch.no_grad():
        torch.testing.assert_close(model(x).flatten(), r.outputs["eval, call 1"])


def test_batchnorm_refuses_a_batch_of_one_in_train_mode():
    r = modes.modes(batch=1, batchnorm=True)
    assert r.outputs == {} and "Expected more than 1 value per channel" in r.error
    assert modes.same_twice(r) == {"train": None, "eval": None}
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        exec(r.code, {})
    assert modes.modes(batch=1, batchnorm=False).error is None
    with pytest.raises(ValueError):
        modes.modes(p=1.0)
