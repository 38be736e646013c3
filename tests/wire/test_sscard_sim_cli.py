"""kiosk-admin sim sscard as a technician runs it: reader on line 1, control
FIFO on line 2, commands on the FIFO, SIGTERM ends it cleanly."""
from __future__ import annotations

import json
import subprocess

import pytest

from tests.support.simcli import ADMIN, end_sim, start_sim
from tests.support.sscard import SLOT, wait_slot_empty

pytestmark = pytest.mark.wire


def test_sim_sscard_inserts_into_running_pcscd(pcscd):
    wait_slot_empty()
    p, reader, fifo = start_sim("sim", "sscard", "--card", "ss-2", "--slot", str(SLOT))
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
        end_sim(p)
    wait_slot_empty()
