"""The README's first command as a newcomer meets it: the headless demo on a machine where nothing
ran before — an empty TMPDIR and HOME, no Kivy home, no font cache, no display — must exit 0 and
save every picture and the printed receipt, and leave nothing behind but its own data folder."""
from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEMO_TIMEOUT = 300  # seconds; the journey takes about 25 s here


def fresh_env(tmp_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("KIVY_", "KIOSK_", "XDG_", "ESCPOS_")) and k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    for name in ("tmp", "home"):
        (tmp_path / name).mkdir()
    env.update(TMPDIR=str(tmp_path / "tmp"), HOME=str(tmp_path / "home"), PYTHONPATH=str(ROOT))
    return env


def test_headless_demo_on_a_machine_where_nothing_ran(tmp_path):
    env = fresh_env(tmp_path)
    out = tmp_path / "demo-output"
    proc = subprocess.run([sys.executable, "-m", "screens.main", "--demo", "--out", str(out)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=DEMO_TIMEOUT)
    assert proc.returncode == 0, f"demo exit {proc.returncode}:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
    assert "Traceback" not in proc.stderr
    assert f"pictures in {out}" in proc.stdout
    pictures = sorted(p.name for p in out.glob("*.png"))
    assert len(pictures) >= 20, pictures
    assert any(p.endswith("-receipt-printed.png") for p in pictures), pictures
    assert all((out / p).stat().st_size > 1000 for p in pictures)
    # Nothing but the demo's own data folder in TMPDIR (no litter of a library's temp folders),
    # and that folder private: it holds the outbox and the printed receipts.
    # (python-escpos still makes one EMPTY folder per import — its default argument calls mkdtemp()
    # even when told where to keep its table — so empty folders are let pass.)
    tmp = Path(env["TMPDIR"])
    left = sorted(p.name for p in tmp.iterdir() if not (p.is_dir() and not any(p.iterdir())))
    assert left == [f"kiosk-demo-{os.getuid()}"], left
    data = tmp / left[0]
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
