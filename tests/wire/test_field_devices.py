"""kiosk-admin devices asks a serial port for the GA 467 SAM status over the real wire (the ID
reader twin on a pty) and offers the device URL; a silent port is not mistaken for a reader."""
import json

import pytest

from kiosk.field.devices_probe import probe_sam, serial_ports
from tests.support.field import admin

pytestmark = pytest.mark.wire


@pytest.fixture
def twin():
    from drivers.idcard.twin import IdReaderTwin

    t = IdReaderTwin()
    t.start()
    yield t
    t.stop()


def test_a_sam_answers_on_the_twin(twin):
    a = probe_sam(twin.path)
    assert a.ok and a.baud == 115200 and "SW3 90" in a.detail
    found, _ = serial_ports((twin.path,))
    reader = [f for f in found if f.kind == "idreader"]
    assert reader and reader[0].url == f"serial://{twin.path}?baud=115200"


def test_a_silent_port_is_not_a_reader(tmp_path):
    import os
    import pty
    import tty

    master, slave = pty.openpty()
    tty.setraw(slave)
    try:
        a = probe_sam(os.ttyname(slave), bauds=(115200,), timeout=0.3)
        assert not a.ok and "no answer to SAM status" in a.detail
    finally:
        os.close(master)
        os.close(slave)


def test_a_missing_port_says_so():
    a = probe_sam("/dev/kiosk-no-such-port")
    assert not a.ok and "no such port" in a.detail


def test_cli_probe_prints_the_config_line(twin):
    r = admin("devices", "--probe", twin.path)
    assert r.returncode == 0, r.stderr
    assert "ID card reader" in r.stdout and f'idreader = "serial://{twin.path}?baud=115200"' in r.stdout


def test_cli_devices_json_shape():
    r = admin("devices", "--json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout[r.stdout.index("{"):])  # libsane may print a line of its own first
    assert set(d) == {"found", "problems"}
    for f in d["found"]:
        assert set(f) == {"kind", "url", "description", "detail", "usable"}
