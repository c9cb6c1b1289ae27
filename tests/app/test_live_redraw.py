"""Live training redraws: three a second on a quiet server, fewer as runs crowd its cores."""

import pytest

from app_pages import trainer


def test_redraws_slow_down_only_when_runs_outnumber_the_cores():
    assert trainer.redraw_seconds(1, 2) == trainer.REDRAW_SECONDS
    assert trainer.redraw_seconds(2, 2) == trainer.REDRAW_SECONDS
    assert trainer.redraw_seconds(4, 2) == pytest.approx(2 * trainer.REDRAW_SECONDS)
    assert trainer.redraw_seconds(3, 1) == pytest.approx(3 * trainer.REDRAW_SECONDS)
    assert trainer.redraw_seconds(10, 2) == trainer.REDRAW_MAX_SECONDS  # a class of ten
    assert trainer.redraw_seconds(0, 0) == trainer.REDRAW_SECONDS  # no cores known: as one


def test_a_live_loop_is_counted_while_it_runs_even_when_it_fails():
    before = trainer._LIVE["loops"]
    with trainer._counted():
        with trainer._counted():
            assert trainer._LIVE["loops"] == before + 2
    assert trainer._LIVE["loops"] == before
    with pytest.raises(RuntimeError), trainer._counted():
        raise RuntimeError("a run that stops half-way")
    assert trainer._LIVE["loops"] == before
