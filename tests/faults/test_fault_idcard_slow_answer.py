"""Fault: the reader answers late (after our timeout), or not at all."""
import dataclasses
import logging

import pytest

from drivers.idcard.cards import load_card
from tests.support.idcard import FAST

pytestmark = pytest.mark.faults


def test_late_read_answer_times_out_is_dropped_and_the_retry_reads(twin, reader_on, caplog):
    # the read times out after 0.2 s; its answer comes at ~0.6 s, while the retry's find waits
    t = dataclasses.replace(FAST, read_timeout=0.2, command_timeout=2.0)
    _, log = reader_on(timings=t)
    twin.inject("slow", arg=0.5)
    with caplog.at_level(logging.INFO, logger="drivers.idcard"):
        twin.place("resident-2")
        assert log.wait_for("CardRead").record == load_card("resident-2")
    assert log.of("CardFailed") == []
    assert any("does not answer 20 01" in r.getMessage() for r in caplog.records)  # dropped, not taken


def test_a_mute_reader_is_a_fault_until_it_answers_again(twin, reader_on):
    t = dataclasses.replace(FAST, command_timeout=0.05)
    reader, log = reader_on(timings=t)
    twin.inject("mute", target="any", count=t.fault_after_failures)
    ev = log.wait_for("StateChanged", code="fault")
    assert "no answer" in ev.detail
    log.wait_for("StateChanged", code="ready", count=2)
    twin.place("resident-1")
    log.wait_for("CardRead")
