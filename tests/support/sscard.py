"""Shared fixtures for the social security card tests: one pcscd for the session (started here
unless one already runs; stopped only if started here), the vpcd virtual card, and the reader."""
from __future__ import annotations

import pytest

from drivers.sscard.pcscd import VPCD_READER, PcscdError, PrivatePcscd
from drivers.sscard.timings import Timings
from drivers.sscard.twin import SsCardTwin
from tests.support.idcard import EventLog

FAST = Timings(status_wait=0.2, reconnect_first=0.05, reconnect_max=0.2)
WAIT = 10.0  # pcscd notices a vpcd card within its polling interval (~0.4 s); slack for CI


@pytest.fixture(scope="session")
def pcscd():
    p = PrivatePcscd()
    try:
        p.start()
    except PcscdError as e:
        pytest.skip(f"pcscd unavailable: {e}")
    yield p
    p.stop()


@pytest.fixture
def ss_twin(pcscd):
    t = SsCardTwin()
    yield t
    t.close()


@pytest.fixture
def ss_reader(pcscd):
    """ss_reader() → (reader, events): the real pyscard reader on vpcd's first slot."""
    from drivers.sscard.reader import SsCardReader

    made = []

    def make(timings: Timings = FAST):
        log = EventLog()
        r = SsCardReader(VPCD_READER, on_event=log, timings=timings)
        r.start()
        made.append(r)
        return r, log

    yield make
    for r in made:
        r.stop()
