"""kiosk-admin submit / queue ... / sim jurisdiction, run as a technician would."""
import json
import os
import signal
import subprocess
import sys

import pytest
import requests

from kiosk.cli import main
from kiosk.outbox import provision_key
from tests.support.outbox import ID_NUMBER, pdf_file, resident, site_config
from tests.support.notify import notify_listener

pytestmark = pytest.mark.wire
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def site(tmp_path):
    _, path = site_config(tmp_path)
    provision_key(str(tmp_path / "keys" / "outbox.key"))  # a site file is not the demo: provisioned first
    ident = tmp_path / "id.json"
    ident.write_text(json.dumps(resident().to_json(), ensure_ascii=False), encoding="utf-8")
    return path, str(ident)


def complete(tmp_path):
    """What DC-GJJ-002 needs, as the kiosk would refuse it otherwise: its typed fields and its
    three required materials (the name and ID number come from the card)."""
    pdf = pdf_file(tmp_path, "idcopy.pdf")
    return ["--field", "phone=13800138000", "--field", "bank_account=6222020200112233445",
            "--attach", f"id_card={pdf}", "--attach", f"loan_contract={pdf}", "--attach", f"repayment={pdf}"]


def run(capsys, *argv):
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def test_submit_list_show_forward(site, capsys, tmp_path):
    cfg, ident = site
    rc, out, _ = run(capsys, "--config", cfg, "submit", "--matter", "DC-GJJ-002", "--identity", ident,
                     "--field", "name=张三丰", *complete(tmp_path), "--json")
    assert rc == 0
    sub = json.loads(out)
    assert sub["state"] == "queued" and sub["jurisdiction"] == "dachang"
    rc, out, _ = run(capsys, "--config", cfg, "queue", "list", "--json")
    assert rc == 0 and [i["txid"] for i in json.loads(out)] == [sub["txid"]]
    assert ID_NUMBER not in out and "张三丰" not in out
    rc, out, _ = run(capsys, "--config", cfg, "queue", "show", sub["tracking_number"])
    assert rc == 0 and "id_card" in out and sub["txid"] in out
    rc, out, _ = run(capsys, "--config", cfg, "queue", "forward", "--once", "--json")
    assert rc == 0 and json.loads(out)["delivered"] == 1
    rc, out, _ = run(capsys, "--config", cfg, "queue", "status", "--json")
    st = json.loads(out)
    assert st["counts"]["delivered"] == 1 and st["jurisdictions"]["dachang"]["delivered"] == 1


def test_bad_input_exits_2_with_one_line(site, capsys):
    cfg, ident = site
    for argv in (["submit", "--matter", "NOPE", "--identity", ident],
                 ["submit", "--matter", "DC-GJJ-002", "--identity", "/nonexistent.json"],
                 ["submit", "--matter", "DC-GJJ-002", "--identity", ident, "--field", "novalue"],
                 ["queue", "show", "no-such-id"]):
        rc, out, err = run(capsys, "--config", cfg, *argv)
        assert rc == 2 and len(err.strip().splitlines()) == 1, (argv, err)


def test_retry_of_a_live_item_fails_with_1(site, capsys, tmp_path):
    cfg, ident = site
    rc, out, _ = run(capsys, "--config", cfg, "submit", "--matter", "DC-GJJ-002", "--identity", ident, *complete(tmp_path))
    txid = out.strip()
    rc, out, err = run(capsys, "--config", cfg, "queue", "retry", txid)
    assert rc == 1 and "not dead" in err
    rc, out, _ = run(capsys, "--config", cfg, "queue", "retry", "--dead", "--json")
    assert rc == 0 and json.loads(out) == {"requeued": 0}


def test_every_command_has_help(capsys):
    for argv in (["submit"], ["queue", "status"], ["queue", "list"], ["queue", "show"], ["queue", "retry"],
                 ["queue", "forward"], ["sim", "jurisdiction"]):
        with pytest.raises(SystemExit) as e:
            main([*argv, "--help"])
        assert e.value.code == 0
        capsys.readouterr()


def test_sim_jurisdiction_prints_urls_and_serves():
    p = subprocess.Popen([sys.executable, "-m", "kiosk.cli", "sim", "jurisdiction", "--rest", "0", "--soap", "0",
                          "--faults", "503*1"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        rest = p.stdout.readline().split()
        soap = p.stdout.readline().split()
        assert rest[0] == "rest" and soap[0] == "soap" and soap[2].endswith(".wsdl")
        s = requests.Session()
        s.trust_env = False
        assert s.get(rest[1] + "status/x", timeout=5).status_code == 503  # the injected fault first
        assert s.get(rest[1] + "status/x", timeout=5).status_code == 404
    finally:
        p.terminate()
        assert p.wait(10) == 0


def test_forward_service_speaks_sd_notify(site, tmp_path):
    """As under systemd (Type=notify, WatchdogSec=): ready once forwarding, watchdog pings while
    the worker lives, stopping on SIGTERM."""
    cfg, _ = site
    path, sock = notify_listener()
    sock.settimeout(30)
    env = dict(os.environ, NOTIFY_SOCKET=path, WATCHDOG_USEC="2000000")  # ping every second
    p = subprocess.Popen([sys.executable, "-m", "kiosk.cli", "--config", cfg, "queue", "forward"], cwd=ROOT, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert sock.recv(4096) == b"READY=1\nSTATUS=forwarding"
        assert sock.recv(4096) == b"WATCHDOG=1"
        p.send_signal(signal.SIGTERM)
        assert sock.recv(4096) == b"STOPPING=1"
        assert p.wait(30) == 0
    finally:
        p.kill()
        p.wait()
        sock.close()


def test_submit_uses_the_catalog_installed_by_catalog_update(site, capsys, tmp_path):
    """`catalog update` installs a new catalog for the kiosk; `submit` must check against the same
    one (it read the config's catalog and refused a matter the kiosk offers)."""
    import copy
    from kiosk.catalog.loader import SAMPLE
    from kiosk.config import load_config
    cfg, ident = site
    data = json.loads(open(SAMPLE, encoding="utf-8").read())
    new = copy.deepcopy(next(m for m in data["matters"] if m["code"] == "DC-GJJ-002"))
    new["code"] = "DC-GJJ-902"
    data["matters"].append(new)
    path = tmp_path / "new-catalog.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert run(capsys, "--config", cfg, "catalog", "update", str(path))[0] == 0
    assert load_config(cfg).active_catalog()
    rc, out, err = run(capsys, "--config", cfg, "submit", "--matter", "DC-GJJ-902", "--identity", ident,
                       *complete(tmp_path), "--json")
    assert rc == 0, err
    assert json.loads(out)["matter"] == "DC-GJJ-902"
