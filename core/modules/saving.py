"""Save and load: a state_dict round trip in memory, and why torch.load wants weights_only=True.

`round_trip(model)` saves `model.state_dict()` into a buffer, loads it with
`torch.load(..., weights_only=True)` into a freshly built model and checks both predict the
same. Since PyTorch 2.6 `torch.load` defaults to `weights_only=True`. `refusals()` shows what
it refuses, with PyTorch's own messages: a whole pickled model, and a pickle that would call a
function while loading; `allowlisted()` loads the whole model anyway, still with
weights_only=True, once its class is allowed by name (`torch.serialization.safe_globals`), as
PyTorch's message suggests. Nothing here ever loads a file from outside: there is no upload,
only what this module saved itself.
"""

import io
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from core.i18n import N_
from core.modules.common import error_text

CODE = """\
import io
import torch
from torch import nn

model = nn.Linear(2, 1)              # trained, in the loop tab
buffer = io.BytesIO()                # a file in memory; a path such as "model.pt" works too
torch.save(model.state_dict(), buffer)

buffer.seek(0)
fresh = nn.Linear(2, 1)              # build the same architecture first ...
fresh.load_state_dict(torch.load(buffer, weights_only=True))   # ... then pour the numbers in
x = torch.randn(5, 2)
print(torch.equal(model(x), fresh(x)))   # True
"""

WHOLE_CODE = """\
import io
import torch
from torch import nn

model = nn.Linear(2, 1)
buffer = io.BytesIO()
torch.save(model, buffer)            # the whole object, pickled: class names and all
buffer.seek(0)
try:
    torch.load(buffer, weights_only=True)   # the default since PyTorch 2.6
except Exception as e:               # pickle.UnpicklingError
    print(e)

buffer.seek(0)                       # you trust this class: allow it by name, as the message says
with torch.serialization.safe_globals([nn.Linear]):
    loaded = torch.load(buffer, weights_only=True)
print(type(loaded).__name__, torch.equal(loaded.weight, model.weight))

class Sneaky:                        # a pickle can name any function to call while loading
    def __reduce__(self):
        return (print, ("this ran while loading!",))

buffer = io.BytesIO()
torch.save({"weight": torch.ones(1), "extra": Sneaky()}, buffer)
buffer.seek(0)
try:
    torch.load(buffer, weights_only=True)   # refused: print is not an allowed global
except Exception as e:
    print(e)
"""


@dataclass(frozen=True)
class RoundTrip:
    """A state_dict saved and loaded back: keys, size, and the two models' predictions."""

    keys: list[str]
    n_bytes: int
    x: torch.Tensor
    original: torch.Tensor
    loaded: torch.Tensor
    equal: bool  # exactly the same predictions, to the bit


def state_dict_bytes(model: nn.Module) -> bytes:
    """The bytes `torch.save(model.state_dict(), f)` writes: what the download button offers."""
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    return buffer.getvalue()


def round_trip(
    model: nn.Module, build: Callable[[], nn.Module], x_dim: int = 2, seed: int = 0
) -> RoundTrip:
    """Save `model`'s state_dict, load it into `build()`, compare predictions on a random batch."""
    buffer = io.BytesIO(state_dict_bytes(model))
    state = torch.load(buffer, weights_only=True)
    fresh = build()
    fresh.load_state_dict(state)
    x = torch.randn(5, x_dim, generator=torch.Generator().manual_seed(seed))
    with torch.no_grad():
        a, b = model(x), fresh(x)
    return RoundTrip(list(state), len(buffer.getvalue()), x, a, b, torch.equal(a, b))


class Sneaky:
    """An object whose pickle asks the loader to call print: harmless, but it could be anything."""

    def __reduce__(self):
        return (print, ("this ran while loading!",))


def refusals() -> dict[str, str]:
    """What torch.load(weights_only=True) says to a whole pickled model and to a sneaky pickle."""
    out = {}
    for name, obj in (
        (N_("a whole model"), nn.Linear(2, 1)),
        (N_("a pickle that calls a function"), {"weight": torch.ones(1), "extra": Sneaky()}),
    ):
        buffer = io.BytesIO()
        torch.save(obj, buffer)
        buffer.seek(0)
        try:
            torch.load(buffer, weights_only=True)
            out[name] = N_("loaded (unexpected)")
        except Exception as err:  # pickle.UnpicklingError, as PyTorch raises it
            out[name] = error_text(err)
    return out


def allowlisted() -> tuple[str, bool]:
    """A whole pickled nn.Linear loaded with weights_only=True once nn.Linear is allowed by name.

    Returns the loaded object's class name and whether its weight equals the saved one.
    """
    model = nn.Linear(2, 1)
    buffer = io.BytesIO()
    torch.save(model, buffer)
    buffer.seek(0)
    with torch.serialization.safe_globals([nn.Linear]):
        loaded = torch.load(buffer, weights_only=True)
    return type(loaded).__name__, torch.equal(loaded.weight, model.weight)


_KEY = ("changed the default value", "Unsupported global")


def key_lines(message: str, default_line: bool = True) -> str:
    """The lines of a weights_only refusal that matter: the default that changed (unless
    `default_line` is False), what was refused and how to allow it (else the first line)."""
    keys = _KEY if default_line else _KEY[1:]
    lines = [line.strip() for line in message.splitlines() if any(k in line for k in keys)]
    if lines:
        return "\n".join(lines)
    return message.splitlines()[0] if message else ""
