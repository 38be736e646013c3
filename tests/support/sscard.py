"""Shared fixtures for the social security card tests: one pcscd for the session (started here
unless one already runs; stopped only if started here), the vpcd virtual card, and the reader."""
from __future__ import annotations

import time

import pytest

from drivers.sscard.pcscd import PcscdError, PrivatePcscd, vpcd_reader
from drivers.sscard.timings import Timings
from drivers.sscard.twin import VPCD_PORT, SsCardTwin
from tests.support.idcard import EventLog

FAST = Timings(status_wait=0.2, reconnect_first=0.05, reconnect_max=0.2)
WAIT = 10.0  # pcscd notices a vpcd card within its polling interval (~0.4 s); slack for CI
# vpcd slot 1: a demo running on the same machine (sim://sscard) keeps slot 0 to itself.
SLOT = 1
READER = vpcd_reader(SLOT)
SIM_URL = f"sim://sscard?slot={SLOT}&card="


# One object for the whole run: each test module that imports the fixture gets a fixture of its
# own in pytest's eyes (session scope per definition), and a second PrivatePcscd would find the
# first one's pcscd running and not own it (so the restart test would skip).
_PCSCD = PrivatePcscd()


@pytest.fixture(scope="session")
def pcscd():
    if not _PCSCD.owned:
        try:
            _PCSCD.start()
        except PcscdError as e:
            pytest.skip(f"pcscd unavailable: {e}")
    yield _PCSCD
    _PCSCD.stop()


def wait_slot_empty(reader: str = READER, timeout: float = WAIT) -> None:
    """Block until pcscd reports no card in `reader` (a real wait on pcscd's polling), so the
    next test does not start with the last test's card still seen as present."""
    from smartcard import scard as sc

    hr, ctx = sc.SCardEstablishContext(sc.SCARD_SCOPE_USER)
    if hr != sc.SCARD_S_SUCCESS:
        return
    try:
        state = sc.SCARD_STATE_UNAWARE
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            hr, states = sc.SCardGetStatusChange(ctx, 200, [(reader, state)])
            if hr == sc.SCARD_S_SUCCESS:
                state = states[0][1] & ~sc.SCARD_STATE_CHANGED
                if not state & sc.SCARD_STATE_PRESENT:
                    return
            elif hr != sc.SCARD_E_TIMEOUT:
                return
    finally:
        sc.SCardReleaseContext(ctx)


@pytest.fixture
def ss_twin(pcscd):
    wait_slot_empty()
    t = SsCardTwin(port=VPCD_PORT + SLOT)
    yield t
    t.close()
    wait_slot_empty()


@pytest.fixture
def ss_reader(pcscd):
    """ss_reader() → (reader, events): the real pyscard reader on vpcd's first slot."""
    from drivers.sscard.reader import SsCardReader

    made = []

    def make(timings: Timings = FAST):
        log = EventLog()
        r = SsCardReader(READER, on_event=log, timings=timings)
        r.start()
        made.append(r)
        return r, log

    yield make
    for r in made:
        r.stop()
