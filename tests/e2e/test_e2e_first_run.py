"""The README's first command as a newcomer meets it: the headless demo on a machine where nothing
ran before — an empty TMPDIR and HOME, no Kivy home, no font cache, no display — must exit 0 and
save every picture and the printed receipt (the help call's among them), and leave nothing behind
but its own data folder: no gateway, no network namespace."""
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


def why_no_video() -> str:
    """Why the demo has no 视频帮办 on this machine ("" when it starts its own gateway)."""
    import importlib.util

    from drivers.videocall.gateway import why_not

    return why_not(netns=True) or ("" if importlib.util.find_spec("aiortc") else "aiortc is not installed")


def test_headless_demo_on_a_machine_where_nothing_ran(tmp_path):
    env = fresh_env(tmp_path)
    out = tmp_path / "demo-output"
    proc = subprocess.Popen([sys.executable, "-m", "screens.main", "--demo", "--out", str(out)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        stdout, stderr = proc.communicate(timeout=DEMO_TIMEOUT)  # Popen: its pid names its namespace
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, f"demo exit {proc.returncode}:\n{stdout[-2000:]}\n{stderr[-4000:]}"
    assert "Traceback" not in stderr
    assert f"pictures in {out}" in stdout
    pictures = sorted(p.name for p in out.glob("*.png"))
    assert len(pictures) >= 20, pictures
    assert any(p.endswith("-receipt-printed.png") for p in pictures), pictures
    assert all((out / p).stat().st_size > 1000 for p in pictures)
    # 视频帮办 from the scan step: with a gateway of the demo's own (root, `janus`, `ip`) a scripted
    # clerk answers, sees a material, sends a note and hangs up; without, the words that say so
    if not why_no_video():
        calls = ("call-consent", "call-waiting", "call-in-call", "call-note", "call-ended")
        assert "the call could not be made" not in stderr, stderr[-4000:]
    else:
        calls = ("call-unavailable",)
    for name in calls:
        assert any(p.endswith(f"-{name}.png") for p in pictures), (name, pictures)
    # the demo's gateway and its namespace went with it
    assert not os.path.exists(f"/run/netns/kdemo{proc.pid}")
    # Nothing but the demo's own data folder in TMPDIR (no litter of a library's temp folders),
    # and that folder private: it holds the outbox and the printed receipts.
    # (python-escpos still makes one EMPTY folder per import — its default argument calls mkdtemp()
    # even when told where to keep its table — so empty folders are let pass.)
    tmp = Path(env["TMPDIR"])
    left = sorted(p.name for p in tmp.iterdir() if not (p.is_dir() and not any(p.iterdir())))
    assert left == [f"kiosk-demo-{os.getuid()}"], left
    data = tmp / left[0]
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
