"""The code style is a test like any other: the README's one test command checks it, so CI
fails on an unused import or a forgotten format run (settings in pyproject.toml)."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).parents[1]


def ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ruff", *args], cwd=REPO, capture_output=True, text=True)


def test_ruff_finds_nothing_to_fix():
    r = ruff("check", "--no-cache", ".")
    assert r.returncode == 0, r.stdout + r.stderr


def test_code_is_formatted():
    r = ruff("format", "--check", "--no-cache", ".")
    assert r.returncode == 0, "run `python -m ruff format .`\n" + r.stdout + r.stderr


def test_every_package_of_seep_is_checked():
    """`extend-exclude = ["workspace"]` meant the data folder at the top, but it also matched the
    package seep/workspace/, which went unlinted and unformatted for weeks."""
    listed = ruff("check", "--no-cache", "--show-files", ".").stdout
    missing = [str(f.relative_to(REPO)) for f in (REPO / "seep").rglob("*.py") if str(f) not in listed]
    assert not missing, missing


def test_pages_draw_only_by_calling_streamlit():
    """Streamlit's magic is off (.streamlit/config.toml): a bare value left on a page's line,
    which magic would have drawn, would now show nothing. Docstrings were never drawn."""
    import ast
    import tomllib

    assert tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())["runner"]["magicEnabled"] is False
    bare = []
    for path in [REPO / "app.py", *sorted((REPO / "pages").glob("*.py"))]:
        tree = ast.parse(path.read_text())
        docstrings = {id(n.body[0]) for n in ast.walk(tree) if isinstance(n, ast.Module | ast.FunctionDef) and n.body}
        for node in ast.walk(tree):
            if isinstance(node, ast.Expr) and not isinstance(node.value, ast.Call | ast.Await) and id(node) not in docstrings:
                bare.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert not bare, bare
