"""Fault: the ID card is pulled off the reader in the middle of a read (SW3 41, then no card)."""
import pytest


pytestmark = pytest.mark.faults


def test_pulled_card_is_a_clean_failure_then_a_removal(twin, reader_on):
    reader, log = reader_on()
    twin.inject("pull")
    twin.place("resident-1")
    failed = log.wait_for("CardFailed")
    assert failed.code == "read_failed" and "left" in failed.detail
    log.wait_for("CardRemoved")
    assert log.of("CardRead") == []
    twin.place("resident-1")  # placed again: read normally
    assert log.wait_for("CardRead").record.name == "张三"
