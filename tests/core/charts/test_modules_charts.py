"""core.charts.modules: every chart builds, has a title, and carries the data it was given."""

import json

import torch

from core.charts import modules as charts
from core.modules import anatomy, loading, modes, slow_loop


def _spec(chart) -> dict:
    return chart.to_dict()


def test_every_chart_has_a_title_and_its_data():
    a = anatomy.anatomy(forget=True)
    m = modes.modes()
    r = loading.batches(drop_last=True)
    s = slow_loop.SlowLoop(slow_loop.LoopConfig()).advance()
    built = [
        charts.parameter_steps_chart(a.history, forgot=True),
        charts.masks_chart(m.masks, 0.5),
        charts.outputs_chart(m.outputs),
        charts.batches_chart(r.rows, r.batches_per_epoch),
        charts.loop_chart(s.params, s.grads, s.batch_grad, 2.0),
        charts.predictions_chart(torch.zeros(5, 1), torch.zeros(5, 1)),
    ]
    for chart in built:
        spec = _spec(chart)
        assert spec.get("title") or spec.get("spec", {}).get("title"), spec.keys()
    text = json.dumps(_spec(built[0]))
    assert "b: plain tensor (forgotten)" in text
    assert "dropped" in json.dumps(_spec(built[3]))
    assert '"None"' in json.dumps(_spec(built[4]))  # zero_grad left .grad as None


def test_the_outputs_title_counts_the_calls_made():
    both = json.dumps(_spec(charts.outputs_chart(modes.modes(batch=4).outputs)))
    refused = json.dumps(_spec(charts.outputs_chart(modes.modes(batch=1).outputs)))
    assert "The same input x, four calls" in both
    assert "The same input x, two calls" in refused and '"call": "train, call 1"' not in refused
