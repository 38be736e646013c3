"""Fault: the social security card is pulled out in the middle of a read."""
import pytest


pytestmark = pytest.mark.faults


def test_pulled_card_is_a_clean_failure_then_a_removal(ss_twin, ss_reader):
    _, log = ss_reader()
    log.wait_for("StateChanged", code="ready")
    ss_twin.pull_after(4)  # SSSE selected, EF05 half read
    ss_twin.insert("ss-1")
    failed = log.wait_for("CardFailed")
    assert failed.code == "read_failed" and "left" in failed.detail
    log.wait_for("CardRemoved")
    assert log.of("CardRead") == []
    ss_twin.insert("ss-1")
    assert log.wait_for("CardRead").record.card_number == "A00000001"
