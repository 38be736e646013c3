"""Fault: a card without the social security application (a bank card) is inserted."""
import pytest


pytestmark = pytest.mark.faults


def test_not_a_social_security_card(ss_twin, ss_reader):
    _, log = ss_reader()
    ss_twin.insert("bank-card")
    failed = log.wait_for("CardFailed")
    assert failed.code == "not_ss_card" and "6A82" in failed.detail
    ss_twin.remove()
    log.wait_for("CardRemoved")
    ss_twin.insert("ss-2")
    assert log.wait_for("CardRead").record.name == "李四"
