"""The technician PIN gate: lockout after 5 wrong tries, doubling waits, reset on success."""
from kiosk.clock import FakeClock
from kiosk.pin import hash_pin
from kiosk.technician import FIRST_LOCK, MAX_TRIES, PinGate

HASH = hash_pin("246810", salt=b"0123456789abcdef")


def test_right_pin_opens():
    assert PinGate(HASH, FakeClock()).attempt("246810").ok


def test_five_wrong_tries_lock_then_double():
    clock = FakeClock()
    gate = PinGate(HASH, clock)
    for i in range(MAX_TRIES - 1):
        r = gate.attempt("000000")
        assert not r.ok and r.locked_for == 0 and r.tries_left == MAX_TRIES - 1 - i
    r = gate.attempt("000000")
    assert r.locked_for == FIRST_LOCK
    # during the lock even the right PIN is refused
    assert not gate.attempt("246810").ok
    clock.advance(FIRST_LOCK)
    assert gate.attempt("111111").locked_for == FIRST_LOCK * 2
    clock.advance(FIRST_LOCK * 2)
    assert gate.attempt("111111").locked_for == FIRST_LOCK * 4
    clock.advance(FIRST_LOCK * 4)
    assert gate.attempt("246810").ok
    # success resets the count
    assert gate.attempt("000000").tries_left == MAX_TRIES - 1


def test_no_pin_configured_never_opens():
    gate = PinGate(None, FakeClock())
    assert not gate.configured
    assert not gate.attempt("246810").ok
