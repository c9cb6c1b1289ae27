"""core.modules.devices: what .to() casts, the real mismatch errors, the devices present."""

import pytest
import torch
from torch import nn

from core.modules import devices


def test_devices_listed_truthfully():
    found = {d["device"]: d["available"] for d in devices.available_devices()}
    assert found == {
        "cpu": True,
        "cuda": torch.cuda.is_available(),
        "mps": torch.backends.mps.is_available(),
    }
    assert devices.best_device() in ("cpu", "cuda")


def test_to_dtype_casts_parameters_and_float_buffers_only():
    rows = {r["tensor"]: r for r in devices.moved("float64")}
    assert rows["layers.0.weight"]["dtype after"] == "float64"
    assert rows["layers.1.running_mean"]["dtype after"] == "float64"
    assert rows["layers.1.num_batches_tracked"]["dtype after"] == "int64"
    assert rows["scale"] == {**rows["scale"], "kind": "plain attribute", "dtype after": "float32"}
    model = devices.Scaled().to(torch.float64)  # the same, directly
    assert model.layers[0].weight.dtype == torch.float64 and model.scale.dtype == torch.float32


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
def test_move_code_runs(dtype, capsys):
    exec(devices.MOVE_CODE.format(dtype=f"torch.{dtype}"), {})  # our own snippet
    out = capsys.readouterr().out
    assert f"parameter layers.0.weight torch.{dtype}" in out
    assert "num_batches_tracked torch.int64" in out
    # every printed line is a row of the table the page shows, in order
    label = {"parameter": "parameter", "buffer": "buffer   ", "plain attribute": "plain    "}
    rows = [
        f"{label[r['kind']]} {r['tensor']} torch.{r['dtype after']}"
        + (f" {r['device']}" if r["kind"] != "plain attribute" else "")
        for r in devices.moved(dtype)
    ]
    assert out.splitlines() == rows


def test_float64_input_into_a_float32_layer_is_pytorchs_error(capsys):
    o = devices.call("float32", "float64", "cpu")
    with pytest.raises(RuntimeError) as err:
        nn.Linear(3, 2)(torch.randn(4, 3, dtype=torch.float64))
    assert o.out_dtype is None and o.error == str(err.value)
    assert "Double and Float" in o.error
    exec(o.code, {})  # the shown code prints the same message
    assert capsys.readouterr().out.strip() == f"RuntimeError: {o.error}"


def test_matching_dtypes_work_and_meta_is_a_device_mismatch(capsys):
    assert devices.call("bfloat16", "bfloat16", "cpu") == devices.Outcome(
        devices.call("bfloat16", "bfloat16", "cpu").code, "bfloat16", None
    )
    meta = devices.call("float32", "float32", "meta")
    assert "device" in meta.error and "meta" in meta.error
    exec(meta.code, {})
    assert capsys.readouterr().out.strip() == f"RuntimeError: {meta.error}"
    with pytest.raises(ValueError):
        devices.call("int64", "float32")
