"""The unavailable services, shared by worker threads and the main thread: a locked map with
change callbacks (it replaced a plain dict the main thread iterated while workers wrote it)."""
import threading

from kiosk.availability import Availability


def test_a_change_calls_back_once_and_a_repeat_does_not():
    a, calls = Availability(), []
    a.subscribe(lambda: calls.append(a.snapshot()))
    a.set("printer", "printer: paper_out")
    a.set("printer", "printer: paper_out")  # the same reason again: nothing changed
    a.set("printer", "printer: cover_open")
    a.clear("printer")
    a.clear("printer")  # cleared already
    assert calls == [{"printer": "printer: paper_out"}, {"printer": "printer: cover_open"}, {}]


def test_readers_get_copies():
    a = Availability()
    a.set("scanner", "scanner: not configured")
    snap = a.snapshot()
    a.set("printer", "printer: offline")
    assert snap == {"scanner": "scanner: not configured"}
    assert "printer" in a and a.get("printer") == "printer: offline" and a.get("outbox", "x") == "x"
    assert sorted(a) == ["printer", "scanner"] and len(a) == 2


def test_a_broken_listener_does_not_stop_the_writer():
    a, seen = Availability(), []

    def broken():
        raise RuntimeError("listener bug")

    a.subscribe(broken)
    a.subscribe(lambda: seen.append(1))
    a.set("outbox", "outbox: locked")
    assert seen == [1] and a.get("outbox") == "outbox: locked"


def test_iterating_while_a_worker_writes_never_fails():
    """With the old dict, iterating it while a worker thread added and removed keys raised
    'dictionary changed size during iteration' at a moment nobody chose."""
    a, stop = Availability(), threading.Event()

    def worker():
        i = 0
        while not stop.is_set():
            a.set(f"svc{i % 50}", "down")
            a.clear(f"svc{(i + 25) % 50}")
            i += 1

    t = threading.Thread(target=worker)
    t.start()
    try:
        for _ in range(2000):
            names = [k for k in a if not k.startswith("_")]
            assert all(isinstance(n, str) for n in names)
            list(a.items())
    finally:
        stop.set()
        t.join()
