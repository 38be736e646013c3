"""Fault (issue 13.4): `kiosk-admin submit` queued what the kiosk would refuse: a matter with
three required materials with none attached, required form fields left out, a card the matter
does not accept, values the form would refuse. It now checks with the kiosk's own rules
(kiosk.intake, which KioskActions uses): exit 2, one line naming what is missing, nothing queued."""
import json
import os

import pytest

from kiosk import intake
from kiosk.cli import main
from kiosk.identity import Identity
from kiosk.outbox import provision_key
from kiosk.usecases import KioskActions
from tests.support.outbox import pdf_file, resident, site_config

pytestmark = pytest.mark.faults


@pytest.fixture
def site(tmp_path):
    _, path = site_config(tmp_path)
    provision_key(str(tmp_path / "keys" / "outbox.key"))
    ident = tmp_path / "id.json"
    ident.write_text(json.dumps(resident().to_json(), ensure_ascii=False), encoding="utf-8")
    return path, str(ident), tmp_path


def submit(capsys, cfg, *argv):
    rc = main(["--config", cfg, "submit", *argv])
    out, err = capsys.readouterr()
    return rc, out, err


def queued(capsys, cfg) -> int:
    assert main(["--config", cfg, "queue", "status", "--json"]) == 0
    return json.loads(capsys.readouterr()[0])["counts"]["queued"]


def test_the_kiosk_and_submit_share_one_validator():
    assert KioskActions.form_errors is intake.form_errors and KioskActions.prefill is intake.prefill


def test_no_materials_and_a_missing_field_are_named(site, capsys):
    cfg, ident, tmp = site
    rc, out, err = submit(capsys, cfg, "--matter", "DC-GJJ-002", "--identity", ident, "--field", "phone=13800138000")
    assert rc == 2 and out == "" and len(err.strip().splitlines()) == 1, err
    assert "field bank_account" in err and "id_card" in err and "loan_contract" in err and "repayment" in err
    assert "field phone" not in err
    assert queued(capsys, cfg) == 0


@pytest.mark.parametrize("argv, named", [
    (["--field", "phone=12345"], "field phone"),                             # the form's phone rule
    (["--field", "phone=1" * 100_000], "field phone"),                      # far longer than 11
    (["--field", "bank_account=12"], "field bank_account"),                   # the catalog's pattern \d{12,19}
    (["--field", "nickname=x"], "field nickname: DC-GJJ-002 has no such field"),
    (["--field", "name=李四"], "field name: is read from the card"),
    (["--attach", "passport=PDF"], "material passport"),
    (["--attach", "id_card=PDF"], "material id_card: attached more than once"),
    (["--delivery", "mail"], None),                                          # mail to the card's address... which it lacks
])
def test_what_the_form_would_refuse_is_refused(site, capsys, argv, named):
    cfg, ident, tmp = site
    pdf = pdf_file(tmp, "scan.pdf")
    base = ["--field", "bank_account=6222020200112233445", "--attach", f"id_card={pdf}",
            "--attach", f"loan_contract={pdf}", "--attach", f"repayment={pdf}"]
    if not any(a.startswith("phone=") for a in argv):
        base += ["--field", "phone=13800138000"]
    argv = [a.replace("PDF", pdf) for a in argv]
    if argv[:2] == ["--field", "bank_account=12"]:
        base = base[2:]
    rc, out, err = submit(capsys, cfg, "--matter", "DC-GJJ-002", "--identity", ident, *base, *argv)
    assert rc == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert (named or "delivery: mail needs an address") in err
    assert len(err) < 2000  # the 100,000-character value is not echoed
    assert queued(capsys, cfg) == 0


def test_a_card_the_matter_does_not_accept(site, capsys, tmp_path):
    cfg, _, _ = site
    foreigner = tmp_path / "foreigner.json"
    foreigner.write_text(json.dumps(Identity("foreign_permanent", "ZHANG SAN", "USA110079061501").to_json()))
    rc, out, err = submit(capsys, cfg, "--matter", "DC-MZ-001", "--identity", str(foreigner),
                          "--field", "phone=13800138000", "--field", "date=2026-12-24")
    assert rc == 2 and "card: this matter does not accept this kind of card (accepted: resident)" in err, err
    assert queued(capsys, cfg) == 0


def test_an_expired_card_is_refused_as_the_identify_screen_does(site, capsys, tmp_path):
    import dataclasses
    import datetime as _dt
    cfg, _, tmp = site
    old = tmp_path / "old.json"
    old.write_text(json.dumps(dataclasses.replace(resident(), valid_to=_dt.date(2020, 1, 1)).to_json()))
    rc, out, err = submit(capsys, cfg, "--matter", "DC-MZ-001", "--identity", str(old),
                          "--field", "phone=13800138000", "--field", "date=2026-12-24")
    assert rc == 2 and "card: the card has expired" in err, err


def test_a_complete_application_is_queued_with_the_card_fields_filled(site, capsys):
    cfg, ident, tmp = site
    pdf = pdf_file(tmp, "scan.pdf")
    rc, out, err = submit(capsys, cfg, "--matter", "DC-GJJ-002", "--identity", ident, "--json",
                          "--field", "phone=13800138000", "--field", "bank_account=6222020200112233445",
                          "--attach", f"id_card={pdf}", "--attach", f"loan_contract={pdf}", "--attach", f"repayment={pdf}")
    assert rc == 0, err
    assert queued(capsys, cfg) == 1
    rc, _, err = submit(capsys, cfg, "--matter", "DC-MZ-001", "--identity", ident,
                        "--field", "phone=13800138000", "--field", "date=2026-12-24")
    assert rc == 0, err  # electronic results only: no delivery step, as on the kiosk
    assert os.path.exists(pdf)
