"""Fault: the reader answers with random bytes instead of a frame."""
import pytest

from drivers.idcard.cards import load_card

pytestmark = pytest.mark.faults


def test_garbage_read_answer_is_retried_and_never_a_wrong_card(twin, reader_on):
    _, log = reader_on()
    twin.inject("garbage")
    twin.place("J-1")
    assert log.wait_for("CardRead").record == load_card("J-1")
    assert log.of("CardFailed") == []


def test_garbage_on_every_command_for_a_while_then_recovery(twin, reader_on):
    reader, log = reader_on()
    twin.inject("garbage", target="any", count=4)
    log.wait_for("StateChanged", code="fault")
    twin.place("resident-2")
    assert log.wait_for("CardRead").record == load_card("resident-2")
    assert all(e.record == load_card("resident-2") for e in log.of("CardRead"))
