"""The forwarder service feeds systemd's watchdog only while its worker thread shows signs of
life; a wedged or dead worker stops the pings so systemd restarts the service."""
import threading

import pytest

from kiosk.cli.queue_cmds import _watch
from kiosk.watchdog import Notifier
from offline_queue import limits
from offline_queue.forwarder import Forwarder
from tests.support.notify import notify_listener


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


@pytest.fixture
def listener():
    path, s = notify_listener()
    s.setblocking(False)
    yield path, s
    s.close()


def _received(s) -> list[bytes]:
    out = []
    while True:
        try:
            out.append(s.recv(4096))
        except BlockingIOError:
            return out


def test_an_idle_worker_is_alive_until_it_stops_waking_up(store):
    ticks = Ticks()
    fw = Forwarder(store, {}, monotonic=ticks)
    assert fw.stalled() is None  # not started: nothing to watch
    fw.start()
    try:
        assert fw.stalled() is None
        ticks.t += limits.STALL_AFTER + 1  # the thread sits in its idle wait (30 s of real time)
        assert "no sign of life" in fw.stalled()
        fw.wake()  # its next round beats on the moved clock
        beat = threading.Event()
        for _ in range(1000):  # the worker thread's round: wait for it, a little at a time
            if fw.stalled() is None:
                break
            beat.wait(0.01)
        assert fw.stalled() is None
    finally:
        fw.stop()


def test_a_dead_worker_is_reported(store):
    fw = Forwarder(store, {})
    fw.start()
    fw.stop()
    fw._thread = threading.Thread(target=lambda: None)  # a thread that has ended, as after a crash
    fw._thread.start()
    fw._thread.join()
    assert fw.stalled() == "the forwarder thread ended"


class ScriptedForwarder:
    def __init__(self, states):
        self.states = list(states)

    def stalled(self):
        return self.states.pop(0)


class Seconds:
    """stop.wait(1.0) as seen by _watch: each call is one second on `ticks`, then stops."""

    def __init__(self, ticks, n):
        self.ticks, self.n = ticks, n

    def wait(self, timeout):
        self.ticks.t += timeout
        self.n -= 1
        return self.n < 0


def test_pings_at_half_the_period_stop_while_stalled_and_resume(listener):
    path, s = listener
    ticks = Ticks()
    n = Notifier({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "4000000"})  # 4 s: ping every 2 s
    states = [None] * 4 + ["no sign of life from the forwarder thread for 601 s"] * 4 + [None] * 4
    _watch(ScriptedForwarder(states), Seconds(ticks, len(states)), notifier=n, monotonic=ticks)
    got = _received(s)
    assert got[0] == b"READY=1\nSTATUS=forwarding"
    assert got[-1] == b"STOPPING=1"
    middle = got[1:-1]
    stalled_at = middle.index(b"STATUS=no sign of life from the forwarder thread for 601 s")
    resumed_at = middle.index(b"STATUS=forwarding")
    assert middle[:stalled_at].count(b"WATCHDOG=1") == 2  # seconds 2 and 4
    assert b"WATCHDOG=1" not in middle[stalled_at:resumed_at]  # systemd's period runs out: restart
    assert middle[resumed_at + 1:].count(b"WATCHDOG=1") >= 1


def test_outside_systemd_the_loop_only_watches(listener):
    ticks = Ticks()
    _watch(ScriptedForwarder([None, "the forwarder thread ended"]), Seconds(ticks, 2), notifier=Notifier({}),
           monotonic=ticks)  # no socket, no period: nothing to send, nothing raised
