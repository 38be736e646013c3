"""kiosk.watchdog speaks the sd_notify datagram protocol to a socket we bind ourselves."""
import os
import shutil
import socket
import tempfile

import pytest

from kiosk.watchdog import Notifier


@pytest.fixture
def notify_socket():
    """A socket file, as systemd makes one, in a fresh folder of its own directly under /tmp: an
    AF_UNIX path stops at 107 bytes, and the test's TMPDIR may be deeper than that."""
    folder = tempfile.mkdtemp(prefix="sdn", dir="/tmp")
    path = os.path.join(folder, "notify")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    s.settimeout(2)
    yield path, s
    s.close()
    shutil.rmtree(folder, ignore_errors=True)


def test_ready_ping_status_stopping_arrive_as_datagrams(notify_socket):
    path, s = notify_socket
    n = Notifier({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "30000000"})
    assert n.enabled
    assert n.ready("home screen\nshown")
    assert s.recv(4096) == b"READY=1\nSTATUS=home screen shown"
    assert n.ping()
    assert s.recv(4096) == b"WATCHDOG=1"
    assert n.status("printer: paper_out")
    assert s.recv(4096) == b"STATUS=printer: paper_out"
    assert n.stopping()
    assert s.recv(4096) == b"STOPPING=1"
    assert n.ping_interval() == 15.0


def test_abstract_socket_address():
    name = f"kiosk-test-{os.getpid()}"
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(b"\0" + name.encode())
    s.settimeout(2)
    try:
        assert Notifier({"NOTIFY_SOCKET": "@" + name}).ping()
        assert s.recv(100) == b"WATCHDOG=1"
    finally:
        s.close()


def test_outside_systemd_everything_is_a_quiet_no_op():
    n = Notifier({})
    assert not n.enabled
    assert n.ready() is False and n.ping() is False
    assert n.ping_interval() is None


def test_supervisor_gone_does_not_raise(tmp_path):
    n = Notifier({"NOTIFY_SOCKET": str(tmp_path / "nobody-listens")})
    assert n.ping() is False


@pytest.mark.parametrize("usec", ["", "0", "junk", "-5"])
def test_no_watchdog_without_a_valid_period(usec):
    assert Notifier({"NOTIFY_SOCKET": "/x", "WATCHDOG_USEC": usec}).ping_interval() is None


def test_child_of_the_main_process_still_pings():
    # under cage the app is not WATCHDOG_PID; the unit's NotifyAccess=all makes that fine
    env = {"NOTIFY_SOCKET": "/x", "WATCHDOG_USEC": "20000000", "WATCHDOG_PID": "1"}
    assert Notifier(env).ping_interval() == 10.0
