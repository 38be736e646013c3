"""kiosk-admin sim sscard as a technician runs it: reader on line 1, control
FIFO on line 2, commands on the FIFO, SIGTERM ends it cleanly."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

from tests.support.sscard import SLOT, pcscd, wait_slot_empty  # noqa: F401

pytestmark = pytest.mark.wire

ADMIN = [sys.executable, "-m", "kiosk.cli"]


def _start(*args):
    p = subprocess.Popen(ADMIN + list(args), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, cwd=os.getcwd())
    first = p.stdout.readline().strip()
    control = p.stdout.readline().strip()
    assert control.startswith("control: "), (first, control, p.stderr.read() if p.poll() is not None else "")
    return p, first, control.split(" ", 1)[1]


def _end(p):
    p.send_signal(signal.SIGTERM)
    assert p.wait(10) == 0
    p.stdout.close(), p.stderr.close(), p.stdin.close()


def test_sim_sscard_inserts_into_running_pcscd(pcscd):
    wait_slot_empty()
    p, reader, fifo = _start("sim", "sscard", "--card", "ss-2", "--slot", str(SLOT))
    try:
        assert reader == f"Virtual PCD 00 {SLOT:02d}"
        r = subprocess.run(ADMIN + ["read-sscard", "--device", f"pcsc://{reader}", "--timeout", "10", "--json"],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["card_number"] == "B00000002"
        with open(fifo, "w") as f:
            f.write("remove\n")
        assert p.stdout.readline().startswith("ok removed")
    finally:
        _end(p)
    wait_slot_empty()
