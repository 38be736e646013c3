"""kiosk-admin selftest against twins and simulated jurisdictions on loopback: everything passes
on a healthy kiosk; a failing device, an unreachable endpoint, rejected credentials, a wrong CA,
a wrong clock and dead outbox items each fail and name what to check."""
import datetime as _dt
import json
import socket

import pytest

from kiosk.clock import FakeClock, SystemClock
from kiosk.config import load_config
from kiosk.field import limits
from kiosk.field.selftest import check_clock, check_disk, check_outbox, passed, run_selftest
from tests.support.field import admin, make_key, site_config

pytestmark = pytest.mark.wire
TOKEN = "selftest-token-4711"


@pytest.fixture(scope="module")
def rig(tmp_path_factory):
    """An ID reader twin on a pty, a network printer twin, and three simulated jurisdictions
    (REST with a token, SOAP, REST over mTLS)."""
    from drivers.idcard.twin import IdReaderTwin
    from drivers.printer.twin.server import TcpPrinterTwin
    from offline_queue.sim.server import start_simulator
    from offline_queue.sim.tls import make_test_pki

    tmp = tmp_path_factory.mktemp("rig")
    pki = make_test_pki(str(tmp / "pki"))
    other_pki = make_test_pki(str(tmp / "other-pki"))
    idr = IdReaderTwin()
    idr.start()
    printer = TcpPrinterTwin()
    rest = start_simulator("rest", "dachang")
    rest.set_credentials(token=TOKEN)
    soap = start_simulator("soap", "tongzhou")
    tls = start_simulator("rest", "sanhe", pki=pki)
    yield {"tmp": tmp, "idreader": idr, "printer": printer, "rest": rest, "soap": soap, "tls": tls, "pki": pki,
           "other_pki": other_pki}
    for s in (rest, soap, tls):
        s.stop()
    printer.stop()
    idr.stop()


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def healthy_config(rig, tmp_path, *, token=TOKEN, ca=None, **over):
    creds = tmp_path / "dachang-credentials.toml"
    creds.write_text(f'token = "{token}"\n')
    pki = rig["pki"]
    devices = {"idreader": f"serial://{rig['idreader'].path}", "printer": rig["printer"].url}
    devices.update(over.pop("devices", {}))
    jur = {"dachang": ("rest", rig["rest"].url), "tongzhou": ("soap", rig["soap"].url), "sanhe": ("rest", rig["tls"].url)}
    jur.update(over.pop("jurisdictions", {}))
    extra = {"dachang": {"credentials": str(creds)}, "tongzhou": {"wsdl": rig["soap"].wsdl},
             "sanhe": {"ca_bundle": ca or pki.ca_cert, "client_cert": pki.client_cert, "client_key": pki.client_key}}
    p = site_config(tmp_path, devices=devices, jurisdictions=jur, extra_jur=extra)
    make_key(tmp_path / "outbox.key")
    return p


def by_name(checks):
    return {c.name: c for c in checks}


def test_a_healthy_kiosk_passes_every_check(rig, tmp_path):
    checks = run_selftest(load_config(str(healthy_config(rig, tmp_path))))
    assert passed(checks), [c for c in checks if c.failed]
    c = by_name(checks)
    assert c["idreader"].status == "pass" and c["printer"].status == "pass"
    assert c["scanner"].status == "skip" and c["sscard"].status == "skip"  # not configured
    assert "credentials accepted" in c["jurisdiction dachang: status operation"].detail
    assert "SOAP status answered" in c["jurisdiction tongzhou: status operation"].detail
    tls = c["jurisdiction sanhe: TLS"]
    assert "TLSv1" in tls.detail and "expires in" in tls.detail
    # the test PKI lives for days, not years: the expiry warning is right to fire (warnings pass)
    assert tls.status == "warn" and "renew this kiosk's client certificate" in tls.fix
    assert "client certificate expires in" in tls.detail
    assert c["outbox"].status == "pass" and c["outbox key"].status == "pass"
    assert "against the jurisdictions' servers" in c["clock"].detail


def test_failing_devices_and_an_unreachable_endpoint_fail_and_say_what_to_check(rig, tmp_path):
    """At a terminal: exit 1, one line on stderr naming what failed; stdout says what to check."""
    rig["printer"].set_status("paper_out")
    try:
        cfg = healthy_config(rig, tmp_path, devices={"idreader": "serial:///dev/kiosk-no-such-reader"},
                             jurisdictions={"xianghe": ("rest", f"http://127.0.0.1:{closed_port()}/")})
        r = admin("--config", str(cfg), "selftest")
    finally:
        rig["printer"].set_status("ready")
    assert r.returncode == 1, r.stdout + r.stderr
    assert r.stderr.count("\n") == 1, r.stderr
    assert "selftest: 3 of" in r.stderr and "idreader, printer, jurisdiction xianghe: network" in r.stderr
    out = r.stdout
    assert "FAIL  printer" in out and "paper_out" in out and "load a paper roll" in out
    assert "FAIL  idreader" in out and "/dev/kiosk-idreader" in out
    assert "FAIL  jurisdiction xianghe: network" in out and "Connection refused" in out
    assert "check the kiosk's network" in out
    assert " ok   jurisdiction dachang: status operation" in out  # the others still ran


def test_json_output(rig, tmp_path):
    cfg = healthy_config(rig, tmp_path, jurisdictions={"xianghe": ("rest", f"http://127.0.0.1:{closed_port()}/")})
    r = admin("--config", str(cfg), "selftest", "--json")
    assert r.returncode == 1
    d = json.loads(r.stdout)
    assert d["ok"] is False and d["kiosk_id"] == "test-kiosk-01"
    failed = [c for c in d["checks"] if c["status"] == "fail"]
    assert [c["name"] for c in failed] == ["jurisdiction xianghe: network"] and failed[0]["fix"]


def test_rejected_credentials_name_the_credentials_file(rig, tmp_path):
    c = by_name(run_selftest(load_config(str(healthy_config(rig, tmp_path, token="wrong")))))
    bad = c["jurisdiction dachang: credentials"]
    assert bad.failed and "HTTP 401" in bad.detail and "dachang-credentials.toml" in bad.fix


def test_a_server_certificate_from_another_ca_fails_the_handshake(rig, tmp_path):
    c = by_name(run_selftest(load_config(str(healthy_config(rig, tmp_path, ca=rig["other_pki"].ca_cert)))))
    bad = c["jurisdiction sanhe: TLS"]
    assert bad.failed and "does not verify" in bad.detail and "ca_bundle" in bad.fix
    assert "jurisdiction sanhe: status operation" not in c  # no point asking once TLS failed


def test_missing_tls_files_are_named(rig, tmp_path):
    p = healthy_config(rig, tmp_path)
    p.write_text(p.read_text().replace(rig["pki"].client_cert, str(tmp_path / "tls/test-kiosk-01.crt")))
    c = by_name(run_selftest(load_config(str(p))))
    assert c["jurisdiction sanhe: files"].failed and "tls/test-kiosk-01.crt" in c["jurisdiction sanhe: files"].detail


def test_clock_checks():
    early = FakeClock(_dt.datetime(2020, 1, 1, 8, tzinfo=_dt.timezone(_dt.timedelta(hours=8))))
    assert check_clock(early, []).failed and "timedatectl" in check_clock(early, []).fix
    ok = FakeClock()
    assert check_clock(ok, [2.0]).status == "pass"
    skewed = check_clock(ok, [-900.0])
    assert skewed.failed and "-900 s" in skewed.detail and "set-ntp" in skewed.fix
    utc = FakeClock(_dt.datetime(2026, 11, 27, 1, tzinfo=_dt.timezone.utc))
    assert check_clock(utc, []).status == "warn" and "Asia/Shanghai" in check_clock(utc, []).fix


def test_a_skewed_clock_is_found_against_the_servers_date(rig, tmp_path):
    hour_ahead = FakeClock(_dt.datetime.now().astimezone() + _dt.timedelta(hours=1))
    c = by_name(run_selftest(load_config(str(healthy_config(rig, tmp_path))), clock=hour_ahead))
    import re
    skew = int(re.search(r"([+-]\d+) s against", c["clock"].detail).group(1))
    assert c["clock"].failed and 3500 < skew < 3700  # an HTTP Date has whole seconds


def test_disk_space(tmp_path, monkeypatch):
    assert check_disk(str(tmp_path)).status == "pass"
    monkeypatch.setattr(limits, "DISK_MIN_FREE_BYTES", 1 << 60)
    low = check_disk(str(tmp_path))
    assert low.failed and "GiB free" in low.detail and "vacuum" in low.fix
    assert check_disk(str(tmp_path / "gone")).failed


class _FakeStore:
    """An outbox port stand-in that only reports figures (tests above the port may use fakes)."""

    def __init__(self, counts, oldest=None):
        self._s = {"counts": counts, "oldest_queued_age": oldest}

    def stats(self):
        return self._s

    def close(self):
        pass


def test_outbox_health(tmp_path, rig):
    cfg = load_config(str(healthy_config(rig, tmp_path)))
    ok = check_outbox(cfg, SystemClock(), lambda c, k: _FakeStore({"queued": 2, "sending": 0, "delivered": 9, "dead": 0}, 40.0))
    assert ok[-1].status == "pass" and "oldest queued 40 s ago" in ok[-1].detail
    dead = check_outbox(cfg, SystemClock(), lambda c, k: _FakeStore({"queued": 0, "sending": 0, "delivered": 9, "dead": 3}))
    assert dead[-1].failed and "queue list --state dead" in dead[-1].fix
    stuck = check_outbox(cfg, SystemClock(), lambda c, k: _FakeStore({"queued": 1, "sending": 0, "delivered": 0, "dead": 0},
                                                                     limits.OUTBOX_OLDEST_QUEUED_MAX + 60))
    assert stuck[-1].failed and "kiosk-forwarder" in stuck[-1].fix


def test_a_missing_outbox_key_fails(rig, tmp_path):
    cfg = load_config(str(healthy_config(rig, tmp_path)))
    (tmp_path / "outbox.key").unlink()
    c = by_name(check_outbox(cfg, SystemClock()))
    assert c["outbox key"].failed and "provision" in c["outbox key"].fix


def test_a_port_held_by_the_running_app_says_stop_the_app(rig, tmp_path):
    import serial

    hold = serial.Serial(rig["idreader"].path, 115200, exclusive=True)  # as the running kiosk holds it
    try:
        c = by_name(run_selftest(load_config(str(healthy_config(rig, tmp_path)))))
    finally:
        hold.close()
    assert c["idreader"].failed and "systemctl stop kiosk" in c["idreader"].fix
