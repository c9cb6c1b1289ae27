"""Run a shown snippet the way a student would: alone, in a fresh namespace, and read its output.

`claims(code)` reads the outputs a snippet promises in its comments (`print(r)  # tensor(...)`);
`...` in a claim stands for the part that changes from run to run (an object's address).
"""

import contextlib
import io
import re
import warnings

_CLAIM = re.compile(
    r"^\s*print\(.*\)\s+#\s*(?:[^=#]*= )?(?P<out>(?:tensor\(|torch\.Size|<|\(\().*)$"
)


def run_alone(code: str) -> tuple[dict, str]:
    """exec our own snippet in a fresh namespace; its names and everything it printed."""
    namespace: dict = {"__name__": "snippet"}
    out = io.StringIO()
    with contextlib.redirect_stdout(out), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a warning goes to stderr, not into what it printed
        exec(compile(code, "<shown code>", "exec"), namespace)  # never user text
    return namespace, out.getvalue()


def claims(code: str) -> list[str]:
    """The printed outputs a snippet's comments promise, in order."""
    return [m["out"].strip() for line in code.splitlines() if (m := _CLAIM.match(line))]


def assert_prints_its_claims(code: str) -> str:
    """Run the snippet alone; every claimed output appears in what it printed, in order."""
    _, printed = run_alone(code)
    at = 0
    for claim in claims(code):
        pattern = ".*?".join(re.escape(part) for part in claim.split("..."))
        found = re.compile(pattern).search(printed, at)
        assert found, f"{claim!r} not printed after position {at} of:\n{printed}"
        at = found.end()
    return printed
