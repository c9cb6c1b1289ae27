"""The log ladder the learning-rate sliders share."""

import math

from core.ladder import log_ladder, nearest_rung


def test_ladder_is_the_round_numbers_in_order():
    assert log_ladder(-2, 0, (1, 2, 5)) == [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0]
    ladder = log_ladder(-4, 1, (1, 2, 3, 5))
    assert ladder == sorted(ladder) and len(set(ladder)) == len(ladder) == 21
    assert ladder[0] == 1e-4 and ladder[-1] == 10.0


def test_nearest_rung_is_nearest_on_a_log_scale():
    ladder = log_ladder(-2, 0, (1, 2, 5))
    assert nearest_rung(ladder, 0.03) == 0.02  # |log 0.03/0.02| < |log 0.05/0.03|
    assert nearest_rung(ladder, 0.04) == 0.05
    assert nearest_rung(ladder, 0.2) == 0.2
    assert nearest_rung(ladder, 1e-9) == 0.01 and nearest_rung(ladder, 1e9) == 1.0


def test_nearest_rung_survives_values_a_link_can_carry():
    ladder = log_ladder(-2, 0, (1, 2, 5))
    assert nearest_rung(ladder, 0.0) == 0.01
    assert nearest_rung(ladder, -3.0) == 0.01
    assert nearest_rung(ladder, math.nan) == 0.01
    assert nearest_rung(ladder, math.inf) == 1.0
