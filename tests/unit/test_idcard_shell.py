"""The ID reader's I/O shell on a bare pseudo-terminal (no thread, no twin): how it sees a port
that vanishes (USB unplugged) whatever it was doing — always PortGone (offline), never an
unexpected exception (which would be reported as an internal fault, with a traceback)."""
from __future__ import annotations

import os
import tty

import pytest

from drivers.idcard import status
from drivers.idcard.frame import encode_command, encode_response
from drivers.idcard.reader import IdCardReader, PortGone


@pytest.fixture
def pty_reader():
    master, slave = os.openpty()
    tty.setraw(master)
    tty.setraw(slave)
    r = IdCardReader(os.ttyname(slave))
    r._open()
    fds = {"master": master, "slave": slave}
    yield r, fds
    r._close()
    for fd in fds.values():
        try:
            os.close(fd)
        except OSError:
            pass


def _vanish(fds):
    os.close(fds.pop("master"))
    os.close(fds.pop("slave"))


def test_write_and_read_on_a_live_port(pty_reader):
    r, fds = pty_reader
    r._write(encode_command(*status.FIND_CARD))
    assert os.read(fds["master"], 100) == encode_command(*status.FIND_CARD)
    assert r._read(0.0) == b""
    os.write(fds["master"], encode_response(status.FIND_FAILED))
    assert r._read(1.0) == encode_response(status.FIND_FAILED)


def test_writing_to_a_vanished_port_is_port_gone(pty_reader):
    r, fds = pty_reader
    _vanish(fds)
    with pytest.raises(PortGone) as e:
        r._write(encode_command(*status.FIND_CARD))  # the flush before it fails first (termios.error)
    assert str(e.value) == f"{r.port}: Input/output error"


def test_reading_a_vanished_port_is_port_gone(pty_reader):
    r, fds = pty_reader
    _vanish(fds)
    with pytest.raises(PortGone):
        r._read(0.05)
