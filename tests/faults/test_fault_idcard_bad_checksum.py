"""Fault: an answer arrives with a wrong checksum."""
import pytest

from drivers.idcard.cards import load_card

pytestmark = pytest.mark.faults


def test_one_bad_checksum_is_retried(twin, reader_on):
    _, log = reader_on()
    twin.inject("bad_checksum")
    twin.place("Y-1")
    assert log.wait_for("CardRead").record == load_card("Y-1")


def test_bad_checksum_every_time_is_a_read_failure_not_a_card(twin, reader_on):
    _, log = reader_on()
    twin.inject("bad_checksum", count=3)
    twin.place("I-1")
    failed = log.wait_for("CardFailed")
    assert failed.code == "read_failed" and "checksum" in failed.detail
    assert log.of("CardRead") == []
