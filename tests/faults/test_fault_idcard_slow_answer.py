"""Fault: the reader answers late (after our timeout), or not at all."""
import dataclasses

import pytest

from drivers.idcard.cards import load_card
from tests.support.idcard import FAST, reader_on, twin  # noqa: F401

pytestmark = pytest.mark.faults


def test_late_read_answer_times_out_is_dropped_and_the_retry_reads(twin, reader_on):
    t = dataclasses.replace(FAST, read_timeout=0.2)
    _, log = reader_on(timings=t)
    twin.inject("slow", arg=0.5)  # the answer comes after our timeout, into the retry's find
    twin.place("resident-2")
    assert log.wait_for("CardRead").record == load_card("resident-2")
    assert log.of("CardFailed") == []


def test_a_mute_reader_is_a_fault_until_it_answers_again(twin, reader_on):
    t = dataclasses.replace(FAST, command_timeout=0.05)
    reader, log = reader_on(timings=t)
    twin.inject("mute", target="any", count=t.fault_after_failures)
    ev = log.wait_for("StateChanged", code="fault")
    assert "no answer" in ev.detail
    log.wait_for("StateChanged", code="ready", count=2)
    twin.place("resident-1")
    log.wait_for("CardRead")
