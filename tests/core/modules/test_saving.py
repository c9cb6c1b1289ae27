"""core.modules.saving: a state_dict round trip, and what weights_only=True refuses."""

import io

import pytest
import torch
from torch import nn

from core.modules import saving


def test_round_trip_predicts_the_same_to_the_bit():
    torch.manual_seed(0)
    model = nn.Linear(2, 1)
    r = saving.round_trip(model, lambda: nn.Linear(2, 1), seed=3)
    assert r.equal and r.keys == ["weight", "bias"]
    assert torch.equal(r.original, model(r.x).detach())
    assert r.n_bytes == len(saving.state_dict_bytes(model))
    state = torch.load(io.BytesIO(saving.state_dict_bytes(model)), weights_only=True)
    assert torch.equal(state["weight"], model.weight.detach())


def test_refusals_are_pytorchs_own(capsys):
    out = saving.refusals()
    assert "torch.nn.modules.linear.Linear" in saving.key_line(out["a whole model"])
    assert "print" in saving.key_line(out["a pickle that calls a function"])
    assert "this ran while loading!" not in capsys.readouterr().out  # nothing ran


def test_what_weights_only_protects_from(capsys):
    """The danger is real: weights_only=False runs what the pickle names (our own object)."""
    buffer = io.BytesIO()
    torch.save({"extra": saving.Sneaky()}, buffer)
    buffer.seek(0)
    torch.load(buffer, weights_only=False)
    assert "this ran while loading!" in capsys.readouterr().out


@pytest.mark.parametrize("snippet", [saving.CODE, saving.WHOLE_CODE], ids=["state_dict", "whole"])
def test_shown_code_runs(snippet, capsys):
    exec(snippet, {})  # our own snippets, never user text
    out = capsys.readouterr().out
    if snippet is saving.CODE:
        assert out.strip() == "True"
    else:
        assert out.count("Weights only load failed") == 2
        assert "this ran while loading!\n" not in out.replace('("this ran while loading!",)', "")


def test_key_line_falls_back_to_the_first_line():
    assert saving.key_line("one\ntwo") == "one" and saving.key_line("") == ""
