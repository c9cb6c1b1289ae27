"""Pay a fresh process's one-time costs in the background, before a visitor's first click.

A fresh server process imports torch on the first page that needs it (about 3 s), and the
first optimiser step anywhere imports `torch._dynamo` (1 to 1.5 s on a quiet machine, far
more on a busy one); the first chart page then imports pandas and altair (about 1 s more;
bench/coldstart.py). Community Cloud puts idle apps to sleep, so the lecturer's first click
in front of the class is often such a cold start. `start()` does all of it in a daemon thread
as soon as the first visitor's Home page runs, while the visitor is still reading it, then
moves all it loaded out of the garbage collector's way (`gc.freeze`). (torch
never imports pandas or altair, nor they torch, so a page importing them at the same time
waits for the module, never on a lock cycle.)

PYTORCH_LIVE_NO_WARMUP=1 in the server's environment turns it off (bench/coldstart.py compares).
"""

import gc
import importlib
import os
import pkgutil
import threading

_lock = threading.Lock()
_thread: threading.Thread | None = None


def _warm() -> None:
    import torch

    w = torch.zeros(2, requires_grad=True)
    for opt in (torch.optim.SGD([w], lr=0.1), torch.optim.Adam([w], lr=0.1)):
        opt.zero_grad()
        (w * w).sum().backward()
        opt.step()  # the first step of a process imports torch._dynamo

    # The app's own computation (0.4 s): a visitor's first page then imports nothing.
    import core

    for module in pkgutil.walk_packages(core.__path__, "core."):
        if not module.name.endswith("submission_template"):  # a file exported, not a module
            importlib.import_module(module.name)

    import altair as alt
    import pandas as pd

    # a chart's first to_dict loads Vega-Lite's schema to validate against, and its first
    # shorthand builds the schema table core.charts keeps (core/charts/schema_tables.py)
    alt.Chart(pd.DataFrame({"x": [0.0, 1.0]})).mark_line().encode(x="x:Q").to_dict()

    # Everything loaded so far lives as long as the process: hand it to the garbage collector's
    # permanent generation, so its full collections walk only what sessions make (without
    # this, each walks ~375,000 objects: 0.17 s on a quiet machine, longer on a busy one, with
    # every thread stopped, the server's answers to browsers included).
    gc.collect()
    gc.freeze()


def start() -> threading.Thread | None:
    """Start the warm-up once per process; later calls return the same thread (None if off)."""
    global _thread
    if os.environ.get("PYTORCH_LIVE_NO_WARMUP") == "1":
        return None
    with _lock:
        if _thread is None:
            _thread = threading.Thread(target=_warm, name="torch-warmup", daemon=True)
            _thread.start()
        return _thread
