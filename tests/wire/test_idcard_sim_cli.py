"""kiosk-admin sim idreader as a technician runs it: device on line 1, control
FIFO on line 2, commands on the FIFO, SIGTERM ends it cleanly."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

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


def _read_id(device):
    r = subprocess.run(ADMIN + ["read-id", "--device", device, "--timeout", "10", "--json"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_sim_idreader_serves_and_obeys_its_fifo():
    p, device, fifo = _start("sim", "idreader", "--card", "I-1")
    try:
        assert os.path.exists(device)
        assert _read_id(device)["nationality"] == "CAN"
        with open(fifo, "w") as f:
            f.write("place resident-2\n")
        assert p.stdout.readline().startswith("ok placed resident-2")
        assert _read_id(device)["long_term"] is True
        p.stdin.write("bogus\n")
        p.stdin.flush()
        assert p.stdout.readline().startswith("error: unknown command")
    finally:
        _end(p)
    assert not os.path.exists(device) and not os.path.exists(fifo)


def test_sim_idreader_bad_card_is_usage_error():
    r = subprocess.run(ADMIN + ["sim", "idreader", "--card", "nobody"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "no such card file" in r.stderr
