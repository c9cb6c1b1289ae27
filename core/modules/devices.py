"""Devices and dtypes: what .to() moves, what a mismatch error says, which devices exist here.

Nothing here needs a GPU. The device-mismatch error is PyTorch's real one, raised with the
"meta" device (tensors with a shape and no data), which every CPU build has.
"""

import os
from dataclasses import dataclass

import torch
from torch import nn

from core.i18n import N_, Translate, untranslated
from core.modules.common import error_text
from core.seeding import seeded

DTYPES = {
    "float32": torch.float32,
    "float64": torch.float64,
    "float16": torch.float16,
    "bfloat16": torch.bfloat16,
    "int64": torch.int64,
}
LAYER_DTYPES = ("float32", "float64", "bfloat16")  # what a layer may be cast to here
INPUT_DEVICES = ("cpu", "meta")


def available_devices(gettext: Translate = untranslated) -> list[dict]:
    """The devices this server has: CPU always; CUDA and Apple's MPS only if present."""
    _ = gettext
    cpu = _("the processor: {cores} cores, torch uses {threads} threads").format(
        cores=os.cpu_count(), threads=torch.get_num_threads()
    )
    gpus = _("{n} NVIDIA GPU(s)").format(n=torch.cuda.device_count())
    cuda = torch.cuda.is_available()
    mps = torch.backends.mps.is_available()
    return [
        {"device": "cpu", "available": True,
         "what": cpu},
        {"device": "cuda", "available": cuda,
         "what": gpus if cuda else _("no NVIDIA GPU here")},
        {"device": "mps", "available": mps,
         "what": _("Apple-silicon GPU") if mps else _("no Apple-silicon GPU here")},
    ]  # fmt: skip


def best_device() -> str:
    """The notebook's line: "cuda" if a GPU is there, else "cpu"."""
    return "cuda" if torch.cuda.is_available() else "cpu"


class Scaled(nn.Module):
    """A Linear and a BatchNorm1d (parameters and buffers), plus a plain tensor attribute."""

    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
        self.scale = torch.ones(2)  # a plain attribute: neither a parameter nor a buffer

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x) * self.scale


MOVE_CODE = """\
import torch
from torch import nn

class Scaled(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
        self.scale = torch.ones(2)  # a plain attribute: neither a parameter nor a buffer

    def forward(self, x):
        return self.layers(x) * self.scale

device = "cuda" if torch.cuda.is_available() else "cpu"  # "cpu" on this server
model = Scaled().to(device).to({dtype})
for name, p in model.named_parameters():
    print("parameter", name, p.dtype, p.device)
for name, b in model.named_buffers():
    print("buffer   ", name, b.dtype, b.device)
print("plain    ", "scale", model.scale.dtype)
"""


def moved(dtype: str = "float64") -> list[dict]:
    """Every tensor of a small model before and after `.to(dtype)`: which ones it casts."""
    model = Scaled()
    before = _tensors(model)
    model.to(best_device()).to(DTYPES[dtype])
    after = _tensors(model)
    return [
        {"tensor": name, "kind": kind, "dtype before": str(d0).removeprefix("torch."),
         "dtype after": str(after[name][1]).removeprefix("torch."), "device": after[name][2]}
        for name, (kind, d0, _) in before.items()
    ]  # fmt: skip


def _tensors(model: Scaled) -> dict[str, tuple[str, torch.dtype, str]]:
    out = {n: (N_("parameter"), p.dtype, str(p.device)) for n, p in model.named_parameters()}
    out |= {n: (N_("buffer"), b.dtype, str(b.device)) for n, b in model.named_buffers()}
    out["scale"] = (N_("plain attribute"), model.scale.dtype, str(model.scale.device))
    return out


MISMATCH_CODE = """\
import torch
from torch import nn

torch.manual_seed(0)
layer = nn.Linear(3, 2).to(torch.{layer})
x = torch.randn(4, 3).to(torch.{input}).to("{device}")
try:
    print(layer(x).dtype)
except RuntimeError as e:
    print("RuntimeError:", e)
"""


@dataclass(frozen=True)
class Outcome:
    """A layer called on an input: the output's dtype, or PyTorch's error text."""

    code: str
    out_dtype: str | None
    error: str | None


def call(
    layer_dtype: str = "float32", input_dtype: str = "float64", device: str = "cpu"
) -> Outcome:
    """nn.Linear(3, 2) cast to `layer_dtype`, called on an input of `input_dtype` on `device`."""
    if layer_dtype not in LAYER_DTYPES or input_dtype not in DTYPES or device not in INPUT_DEVICES:
        raise ValueError("unknown dtype or device")
    code = MISMATCH_CODE.format(layer=layer_dtype, input=input_dtype, device=device)
    with seeded(0):
        layer = nn.Linear(3, 2).to(DTYPES[layer_dtype])
        x = torch.randn(4, 3).to(DTYPES[input_dtype]).to(device)
    try:
        out = layer(x)
    except RuntimeError as err:
        return Outcome(code, None, error_text(err))
    return Outcome(code, str(out.dtype).removeprefix("torch."), None)
