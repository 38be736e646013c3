"""Fault: pcscd restarts (package upgrade, crash) while the reader runs with a card in."""
import pytest

from tests.support.sscard import WAIT

pytestmark = pytest.mark.faults


def test_reader_survives_a_pcscd_restart(pcscd, ss_twin, ss_reader):
    if not pcscd.owned:
        pytest.skip("pcscd was already running before the tests: not restarting someone else's")
    reader, log = ss_reader()
    ss_twin.insert("ss-1")
    log.wait_for("CardRead")
    pcscd.restart()
    log.wait_for("StateChanged", code="offline")
    log.wait_for("CardRemoved")
    # a new context, the reader found again, the card (reconnected by the twin) read again
    assert log.wait_for("CardRead", count=2, timeout=WAIT).record.card_number == "A00000001"
    assert reader.state.code == "card_present"
