"""Fault (issue 19.7): the technician PIN's lockout counter lived in memory, so restarting the
kiosk (pulling the plug) gave five fresh tries every time. It now persists beside the data
(<data>/technician-pin.json, 0600, written atomically) and fails closed when damaged."""
import datetime as _dt
import json
import os
import stat

import pytest

from kiosk.clock import FakeClock
from kiosk.technician import FIRST_LOCK, MAX_LOCK, MAX_TRIES, STATE_FILE, PinGate

pytestmark = pytest.mark.faults

RIGHT = "246810"


def check(pin, _hash):  # the gate's counting is under test here, not scrypt (tests/faults/..._weak_hash)
    return pin == RIGHT


def gate(path, clock):
    return PinGate("scrypt$stub", clock, verify=check, state_path=str(path))


def restarted(clock: FakeClock) -> FakeClock:
    """The same wall clock after a reboot; the monotonic clock starts again."""
    return FakeClock(start=clock.now())


def test_a_restart_keeps_the_lock(tmp_path):
    path, clock = tmp_path / STATE_FILE, FakeClock()
    g = gate(path, clock)
    for _ in range(MAX_TRIES):
        r = g.attempt("000000")
    assert r.locked_for == FIRST_LOCK
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert not [p for p in os.listdir(tmp_path) if p != STATE_FILE]  # no temporary file left
    clock.advance(10)
    clock = restarted(clock)
    g = gate(path, clock)
    r = g.attempt(RIGHT)
    assert not r.ok and r.locked_for == FIRST_LOCK - 10  # refused unchecked, the wait carried over
    clock.advance(FIRST_LOCK - 10)
    assert gate(path, restarted(clock)).attempt("111111").locked_for == FIRST_LOCK * 2  # still doubling


def test_a_restart_keeps_the_count_of_wrong_tries(tmp_path):
    path, clock = tmp_path / STATE_FILE, FakeClock()
    for _ in range(3):
        gate(path, clock).attempt("000000")  # one wrong try per boot
        clock = restarted(clock)
    r = gate(path, clock).attempt("000000")
    assert r.tries_left == MAX_TRIES - 4
    assert gate(path, clock).attempt("000000").locked_for == FIRST_LOCK


def test_success_clears_the_state_for_the_next_boot(tmp_path):
    path, clock = tmp_path / STATE_FILE, FakeClock()
    g = gate(path, clock)
    for _ in range(MAX_TRIES - 1):
        g.attempt("000000")
    assert g.attempt(RIGHT).ok
    assert json.loads(path.read_text())["wrong"] == 0
    assert gate(path, restarted(clock)).attempt("000000").tries_left == MAX_TRIES - 1


def test_a_damaged_state_file_fails_closed(tmp_path):
    path = tmp_path / STATE_FILE
    for junk in (b"\x00" * 10, b"[]", b'{"wrong": "5"}', b"{" * 100_000, json.dumps(
            {"wrong": 1, "locks": 10**9, "until": 0, "lock_len": 0}).encode()):
        path.write_bytes(junk)
        r = gate(path, FakeClock()).attempt(RIGHT)
        assert not r.ok and r.locked_for == FIRST_LOCK, junk[:20]


def test_a_clock_set_back_does_not_lengthen_the_lock(tmp_path):
    path, clock = tmp_path / STATE_FILE, FakeClock()
    g = gate(path, clock)
    for _ in range(MAX_TRIES):
        g.attempt("000000")
    earlier = FakeClock(start=clock.now() - _dt.timedelta(days=365))
    assert gate(path, earlier).locked_for() <= FIRST_LOCK <= MAX_LOCK


def test_an_unwritable_folder_still_counts_in_memory(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        g = gate(folder / STATE_FILE, FakeClock())
        for _ in range(MAX_TRIES):
            r = g.attempt("000000")
        assert r.locked_for == FIRST_LOCK or os.geteuid() == 0  # root writes anyway
    finally:
        folder.chmod(0o700)


def test_the_app_keeps_the_state_in_its_data_folder(tmp_path):
    from kiosk.bootstrap import build
    from tests.support.outbox import site_config
    cfg, _ = site_config(tmp_path)
    services = build(cfg, start_devices=False)
    for _ in range(MAX_TRIES):
        services.pin_gate.attempt("000000")
    assert os.path.exists(os.path.join(cfg.data_folder, STATE_FILE))
