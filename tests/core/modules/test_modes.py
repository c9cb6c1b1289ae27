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
@pytest.mark.parametrize("batch", [1, 5])
def test_shown_code_runs_alone_and_prints_what_core_computed(bn, batch, capsys):
    r = modes.modes(p=0.3, batch=batch, batchnorm=bn, seed=3)
    ns: dict = {}
    exec(r.code, ns)  # our own snippet, alone in a fresh namespace: it never stops on an error
    printed = capsys.readouterr().out.strip().split("\n")
    assert printed == "\n".join(r.printed).split("\n")
    assert len(r.printed) == (1 if r.error else 2) + 2 + 3  # train (or refused), eval, masks
    model, x = ns["model"], ns["x"]
    model.eval()
    with torch.no_grad():
        torch.testing.assert_close(model(x).flatten(), r.outputs["eval, call 1"])


def test_batchnorm_refuses_a_batch_of_one_in_train_mode_only():
    r = modes.modes(batch=1, batchnorm=True)
    assert "Expected more than 1 value per channel" in r.error
    assert set(r.outputs) == {"eval, call 1", "eval, call 2"}  # eval mode takes one sample
    assert modes.same_twice(r) == {"train": None, "eval": True}
    assert r.printed[0].startswith("train mode refused: Expected more than 1 value per channel")
    assert r.running_mean["before"] == r.running_mean["after"]  # train mode never ran
    assert modes.modes(batch=1, batchnorm=False).error is None
    with pytest.raises(ValueError):
        modes.modes(p=1.0)
