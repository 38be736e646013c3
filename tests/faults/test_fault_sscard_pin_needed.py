"""Fault: the card wants its PIN before it shows the holder's data."""
import pytest


pytestmark = pytest.mark.faults


def test_pin_needed_is_reported_as_such(ss_twin, ss_reader):
    reader, log = ss_reader()
    ss_twin.insert("ss-pin")
    failed = log.wait_for("CardFailed")
    assert failed.code == "pin_needed" and "6982" in failed.detail
    assert log.of("CardRead") == [] and reader.state.code == "card_present"


def test_kiosk_words_for_pin_needed():
    from kiosk.devices.idcard import FAILURE_WORDS

    zh, en = FAILURE_WORDS["pin_needed"]
    assert "密码" in zh and "PIN" in en
