"""kiosk-admin backend render | backend ping | progress, run as a technician would against
other agencies' simulated back ends on loopback, named by a site config with profile = ..."""
import json

import pytest

from kiosk.cli import main
from kiosk.config import DEMO_SITE
from kiosk.outbox import provision_key
from offline_queue.sim import SimulatedJurisdiction
from tests.support.backends import creds_file
from tests.support.outbox import ID_NUMBER, NAME, pdf_file, resident

pytestmark = pytest.mark.wire


def run(capsys, *argv):
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.fixture
def backends():
    soap = SimulatedJurisdiction("nested-soap", "xianghe").start()
    rest = SimulatedJurisdiction("multipart-rest", "sanhe").start()
    rest.set_credentials(api_key="ak-sanhe-01")
    yield soap, rest
    soap.stop()
    rest.stop()


@pytest.fixture
def site(tmp_path, backends):
    """The demo site with Xianghe and Sanhe at real (loopback) endpoints, as a technician writes it."""
    soap, rest = backends
    key = creds_file(tmp_path / "sanhe.toml", api_key="ak-sanhe-01")
    text = DEMO_SITE.read_text(encoding="utf-8").replace(
        "[data]\n", f'[data]\nfolder = "{tmp_path}/data"\noutbox_key = "{tmp_path}/keys/outbox.key"\n', 1)
    text = text.replace('endpoint = "sim://nested-soap"', f'endpoint = "{soap.url}"\nwsdl = "{soap.wsdl}"\n'
                                                          f'profile = "{soap.profile}"')
    text = text.replace('endpoint = "sim://multipart-rest"', f'endpoint = "{rest.url}"\nprofile = "{rest.profile}"\n'
                                                             f'credentials = "{key}"')
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    provision_key(str(tmp_path / "keys" / "outbox.key"))
    ident = tmp_path / "id.json"
    ident.write_text(json.dumps(resident().to_json(), ensure_ascii=False), encoding="utf-8")
    return str(path), str(ident)


def application(tmp_path, matter="XH-YB-001"):
    pdf = pdf_file(tmp_path, "proof.pdf")
    return ["--matter", matter, "--field", "phone=13800138000", "--field", "address=香河县新华大街1号",
            "--attach", f"residence_proof={pdf}"]


def test_render_masks_personal_values_unless_asked(site, capsys, tmp_path):
    cfg, ident = site
    rc, out, err = run(capsys, "--config", cfg, "backend", "render", "xianghe", "--identity", ident,
                       *application(tmp_path))
    assert rc == 0, err
    assert "<ns0:acceptApply" in out and "<ns0:certNo>110105********002X</ns0:certNo>" in out
    assert ID_NUMBER not in out and NAME not in out and "13800138000" not in out
    rc, out, _ = run(capsys, "--config", cfg, "backend", "render", "xianghe", "--identity", ident,
                     *application(tmp_path), "--show-personal")
    assert rc == 0 and f"<ns0:certNo>{ID_NUMBER}</ns0:certNo>" in out and NAME in out


def test_render_rest_shows_the_http_request_with_credentials_masked(site, capsys, tmp_path):
    cfg, ident = site
    rc, out, err = run(capsys, "--config", cfg, "backend", "render", "sanhe", "--identity", ident,
                       *application(tmp_path, "SH-YB-001"))
    assert rc == 0, err
    assert "POST http://127.0.0.1:" in out and "/api/v2/applications" in out
    assert "X-Api-Key: ********" in out and "ak-sanhe-01" not in out
    assert "multipart/form-data; boundary=" in out and 'filename="residence_proof-' in out and " bytes>" in out
    assert ID_NUMBER not in out


def test_render_refuses_a_matter_of_another_jurisdiction(site, capsys, tmp_path):
    cfg, ident = site
    rc, _, err = run(capsys, "--config", cfg, "backend", "render", "sanhe", "--identity", ident,
                     *application(tmp_path))
    assert rc == 2 and err.count("\n") == 1 and "belongs to xianghe" in err


def test_ping_walks_every_step(site, capsys):
    cfg, _ = site
    rc, out, err = run(capsys, "--config", cfg, "backend", "ping", "sanhe", "--json")
    assert rc == 0, err
    steps = json.loads(out)["steps"]
    assert [s["step"] for s in steps] == ["files", "profile", "dns", "tcp", "tls", "credentials", "status"]
    assert all(s["ok"] for s in steps)


def test_ping_says_which_step_failed(site, capsys, backends, tmp_path):
    cfg, _ = site
    backends[1].set_credentials(api_key="rotated")  # the agency changed the key
    rc, out, err = run(capsys, "--config", cfg, "backend", "ping", "sanhe")
    assert rc == 1 and any(ln.startswith("credentials") and "FAILED" in ln for ln in out.splitlines())
    assert err.count("\n") == 1 and "credentials failed" in err and "HTTP 401" in err
    backends[0].stop()  # the Xianghe back end is down
    rc, out, err = run(capsys, "--config", cfg, "backend", "ping", "xianghe")
    assert rc == 1 and "tcp failed" in err and "firewall" in err


def test_progress_asks_the_jurisdiction(site, capsys, backends, tmp_path):
    cfg, ident = site
    rc, out, err = run(capsys, "--config", cfg, "submit", "--identity", ident, *application(tmp_path), "--json")
    assert rc == 0, err
    sub = json.loads(out)
    assert run(capsys, "--config", cfg, "queue", "forward", "--once")[0] == 0
    backends[0].set_prereview("needs_correction", "居住证明不清晰", txid=sub["txid"])
    rc, out, err = run(capsys, "--config", cfg, "progress", sub["tracking_number"], "--json")
    assert rc == 0, err
    d = json.loads(out)
    assert (d["local_state"], d["status"], d["reason"]) == ("delivered", "needs_correction", "居住证明不清晰")
    assert d["reference"] == backends[0].received[sub["txid"]].reference
    rc, _, err = run(capsys, "--config", cfg, "progress", "NOSUCH")
    assert rc == 2 and "no item" in err


def test_ping_tls_step_names_the_ca_and_the_client_certificate(tmp_path, capsys, pki):
    sim = SimulatedJurisdiction("multipart-rest", "sanhe", pki=pki).start()
    try:
        base = DEMO_SITE.read_text(encoding="utf-8").replace(
            "[data]\n", f'[data]\nfolder = "{tmp_path}/data"\noutbox_key = "{tmp_path}/keys/outbox.key"\n', 1)
        url = sim.url.replace("127.0.0.1", "localhost")

        def ping(extra: str):
            path = tmp_path / "site.toml"
            path.write_text(base.replace('endpoint = "sim://multipart-rest"',
                                         f'endpoint = "{url}"\nprofile = "{sim.profile}"\n{extra}'), encoding="utf-8")
            return run(capsys, "--config", str(path), "backend", "ping", "sanhe")

        rc, out, err = ping("")
        assert rc == 1 and "tls failed" in err and "not trusted" in err and "ca_bundle" in err
        rc, out, err = ping(f'ca_bundle = "{pki.ca_cert}"')
        assert rc == 1 and "tls failed" in err and "client certificate" in err
        rc, out, err = ping(f'ca_bundle = "{pki.ca_cert}"\nclient_cert = "{pki.client_cert}"\n'
                            f'client_key = "{pki.client_key}"')
        assert rc == 0, err
    finally:
        sim.stop()


def test_sim_jurisdiction_serves_the_other_agencies_back_ends():
    import os
    import subprocess
    import sys

    import requests

    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    p = subprocess.Popen([sys.executable, "-m", "kiosk.cli", "sim", "jurisdiction", "--nested-soap", "0",
                          "--multipart-rest", "0"], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        soap = p.stdout.readline().split()
        rest = p.stdout.readline().split()
        assert soap[0] == "nested-soap" and soap[2].endswith("nested-soap.wsdl") and soap[3].endswith("nested-soap.toml")
        assert rest[0] == "multipart-rest" and rest[2].endswith("multipart-rest.toml")
        r = requests.get(rest[1] + "api/v2/applications/00000000-0000-4000-8000-000000000000/progress", timeout=5)
        assert r.status_code == 200 and r.json()["code"] == 10404
    finally:
        p.terminate()
        p.wait(10)


def test_ping_names_wrong_ws_security_credentials(site, capsys, backends):
    cfg, _ = site
    backends[0].set_credentials(username="xh-kiosk-01", password="s3cret")  # the agency now wants a token
    rc, out, err = run(capsys, "--config", cfg, "backend", "ping", "xianghe")
    assert rc == 1 and "credentials failed" in err and "Authentication" in err
