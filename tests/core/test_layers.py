"""The house's layering: core/ never imports streamlit or the server layer (runtime/)."""

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "core"


def imported_modules(path: Path) -> set[str]:
    """Top-level names of every module a file imports (import x.y / from x.y import z)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_core_never_imports_runtime_or_streamlit():
    files = sorted(CORE.rglob("*.py"))
    assert len(files) > 50  # the walk found the package
    offenders = {
        str(f.relative_to(CORE)): sorted(imported_modules(f) & {"runtime", "streamlit"})
        for f in files
        if imported_modules(f) & {"runtime", "streamlit"}
    }
    assert offenders == {}


def test_runtime_reuses_cores_budget():
    from core import budget
    from runtime import admission, threads

    assert admission.RUN_CPU_SECONDS == budget.RUN_CPU_SECONDS == 60.0
    assert threads.torch_threads is budget.torch_threads
