"""Running a `kiosk-admin sim ...` simulator as a technician does: device on its first stdout
line, control FIFO on the second, SIGTERM to end it."""
from __future__ import annotations

import os
import signal
import subprocess
import sys

ADMIN = [sys.executable, "-m", "kiosk.cli"]


def start_sim(*args):
    """(process, first line, control FIFO path)."""
    p = subprocess.Popen(ADMIN + list(args), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, cwd=os.getcwd())
    first = p.stdout.readline().strip()
    control = p.stdout.readline().strip()
    assert control.startswith("control: "), (first, control, p.stderr.read() if p.poll() is not None else "")
    return p, first, control.split(" ", 1)[1]


def end_sim(p) -> None:
    """SIGTERM ends a simulator cleanly (exit 0)."""
    p.send_signal(signal.SIGTERM)
    assert p.wait(10) == 0
    p.stdout.close(), p.stderr.close(), p.stdin.close()
