"""kiosk-admin sim idreader as a technician runs it: device on line 1, control
FIFO on line 2, commands on the FIFO, SIGTERM ends it cleanly."""
from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.support.simcli import ADMIN, end_sim, start_sim

pytestmark = pytest.mark.wire


def _read_id(device):
    r = subprocess.run(ADMIN + ["read-id", "--device", device, "--timeout", "10", "--json"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_sim_idreader_serves_and_obeys_its_fifo():
    p, device, fifo = start_sim("sim", "idreader", "--card", "I-1")
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
        end_sim(p)
    assert not os.path.exists(device) and not os.path.exists(fifo)


def test_sim_idreader_bad_card_is_usage_error():
    r = subprocess.run(ADMIN + ["sim", "idreader", "--card", "nobody"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "no such card file" in r.stderr
