"""core.modules.saving: a state_dict round trip, and what weights_only=True refuses."""

import io
import re

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
    whole = saving.key_lines(out["a whole model"]).splitlines()
    assert len(whole) == 2
    assert "In PyTorch 2.6" in whole[0] and "from `False` to `True`" in whole[0]
    assert "GLOBAL torch.nn.modules.linear.Linear" in whole[1]
    assert "safe_globals([torch.nn.modules.linear.Linear])" in whole[1]  # the way out it names
    assert "GLOBAL print" in saving.key_lines(out["a pickle that calls a function"])
    short = saving.key_lines(out["a whole model"], default_line=False)
    assert short == whole[1]
    assert "this ran while loading!" not in capsys.readouterr().out  # nothing ran


def test_what_weights_only_protects_from(capsys):
    """The danger is real: weights_only=False runs what the pickle names (our own object)."""
    buffer = io.BytesIO()
    torch.save({"extra": saving.Sneaky()}, buffer)
    buffer.seek(0)
    torch.load(buffer, weights_only=False)
    assert "this ran while loading!" in capsys.readouterr().out


def test_the_default_is_weights_only_and_an_allowlisted_class_loads():
    """torch.load's default refuses a whole model; safe_globals lets weights_only=True load it."""
    model = torch.nn.Linear(2, 1)
    buffer = io.BytesIO()
    torch.save(model, buffer)
    buffer.seek(0)
    with pytest.raises(Exception, match="Unsupported global"):
        torch.load(buffer)  # no weights_only argument: the default, True since 2.6
    assert saving.allowlisted() == ("Linear", True)


@pytest.mark.parametrize("snippet", [saving.CODE, saving.WHOLE_CODE], ids=["state_dict", "whole"])
def test_shown_code_runs_alone_and_prints_what_the_page_shows(snippet, capsys):
    exec(snippet, {})  # our own snippets, never user text, each in a fresh namespace
    out = capsys.readouterr().out
    if snippet is saving.CODE:
        assert out.strip() == "True"
    else:
        refused = saving.refusals()
        name, equal = saving.allowlisted()
        expected = [
            refused["a whole model"],
            f"{name} {equal}",
            refused["a pickle that calls a function"],
        ]
        plain = re.sub(r"\x1b\[[0-9;]*m", "", out)  # PyTorch bolds a phrase for terminals
        lines = [line.rstrip() for line in plain.strip().split("\n")]
        assert lines == [line.rstrip() for line in "\n".join(expected).split("\n")]
        assert "this ran while loading!\n" not in out.replace('("this ran while loading!",)', "")


def test_key_lines_fall_back_to_the_first_line():
    assert saving.key_lines("one\ntwo") == "one" and saving.key_lines("") == ""
