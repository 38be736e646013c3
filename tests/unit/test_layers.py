"""Imports point downward only: screens/ → kiosk/ → (drivers/, offline_queue/). Kivy only in screens/."""
import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
FORBIDDEN = {
    "drivers": ("kiosk", "screens", "offline_queue", "kivy"),
    "offline_queue": ("kiosk", "screens", "drivers", "kivy"),
    "kiosk": ("screens", "kivy"),
}


def imports(path: pathlib.Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                yield node.lineno, a.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_upward_or_sideways_imports(package):
    bad = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for line, mod in imports(path):
            if mod.split(".")[0] in FORBIDDEN[package]:
                bad.append(f"{path.relative_to(ROOT)}:{line}: imports {mod}")
    assert not bad, "\n".join(bad)


def test_kiosk_admin_never_loads_kivy():
    import subprocess
    import sys

    code = "import sys, kiosk.cli; kiosk.cli.build_parser(); print('kivy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip() == "False", out.stderr
