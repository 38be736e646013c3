"""check-config proves each profile against its WSDL before go-live (issue 12, item 4): a profile
wrong in each way is refused, every problem as file:line: path: reason, exit 2."""
import os
import shutil
import subprocess
import sys

import pytest

from offline_queue.profile_check import check_profile
from offline_queue.sim.multipart_rest_app import PROFILE_FILE as REST_PROFILE
from offline_queue.sim.nested_soap_app import PROFILE_FILE as SOAP_PROFILE, WSDL_FILE as SOAP_WSDL

SOAP_TEXT = open(SOAP_PROFILE, encoding="utf-8").read()
REST_TEXT = open(REST_PROFILE, encoding="utf-8").read()


def write(tmp_path, text: str, name: str = "agency.toml") -> str:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return str(p)


def test_the_example_profiles_fit_their_wsdl():
    assert check_profile(SOAP_PROFILE, SOAP_WSDL) == []
    assert check_profile(REST_PROFILE) == []


@pytest.mark.parametrize("change, where, reason", [
    # binding / service / operation exist
    (('service = "IntakeService"', 'service = "Intake"'), "soap.service", "service 'Intake' is not in"),
    (('port = "IntakeService"', 'port = "IntakeSoap12"'), "soap.service", "port 'IntakeSoap12' is not in"),
    (('operation = "acceptApply"', 'operation = "submitApply"'), "submit.operation", "submitApply is not an operation"),
    # every template path is an element of the input type
    (('itemCode = "item_code"', 'itemCode = "item_code"\nitemNo = "tracking"'), "submit.input.itemNo",
     "itemNo is not an element of acceptApply"),
    (('appId = "kiosk.id"', 'appID = "kiosk.id"'), "submit.input.header.appID", "appID is not an element of RequestHeader"),
    # every required element is filled
    (('applyNo = "txid"', '# applyNo removed'), "submit.input", "required element applyNo"),
    (('certNo = "card.id_number", ', ''), "submit.input.applicant", "required element certNo"),
    # a constant fits its type
    (('materialCount = "attachment_count"', 'materialCount = "const:two"'), "submit.input.materialCount",
     "constant 'two' does not fit xs:integer"),
    (('requestTime = "now"', 'requestTime = "const:yesterday"'), "submit.input.header.requestTime",
     "does not fit xs:dateTime"),
    # structure against value, repeated against single
    (('applyNo = "txid"', 'applyNo = { no = "txid" }'), "submit.input.applyNo", "is a simple value"),
    (('materialCount = "attachment_count"', 'materialCount = { "$each" = "attachments", n = "attachment.size" }'),
     "submit.input.materialCount", "not a repeated element"),
    (('sex = "card.sex | sex_code | int"', 'sex = "card.sex"'), "submit.input.applicant.sex", "add | int"),
    (('wsse = "text"', 'wsse = "none"'), "security.wsse_timestamp", "set wsse"),
    # response paths exist in the output type
    (('reference = "acceptApplyResult/receiveNo"', 'reference = "acceptApplyResult/receiptNo"'),
     "submit.answer.reference", "acceptApplyResult/receiptNo is not in the answer"),
    (('status = "queryProgressResult/status"', 'status = "result/status"'), "status.answer.status",
     "result is not in the answer"),
])
def test_soap_profile_wrong_in_each_way(tmp_path, change, where, reason):
    assert change[0] in SOAP_TEXT, change[0]
    path = write(tmp_path, SOAP_TEXT.replace(change[0], change[1], 1))
    problems = check_profile(path, SOAP_WSDL)
    hit = [p for p in problems if f": {where}: " in p and reason in p]
    assert hit, problems
    file_, line, *_ = hit[0].split(":")
    assert file_ == path and int(line) > 1


@pytest.mark.parametrize("change, where, reason", [
    (('reference = "/data/receiveNo"', 'reference = "data/receiveNo"'), "submit.answer.reference", "not a JSON Pointer"),
    (('status = "/data/statusName"', 'status = "/data/~2"'), "status.answer.status", "~ must be followed by 0 or 1"),
    (('path = "/api/v2/applications/{txid}/progress"', 'path = "/api/v2/applications/{txid/progress"'),
     "status.path", "unbalanced braces"),
    (('path = "/api/v2/applications"', 'path = "/api/v2/{itemcode}"'), "submit.path", "unknown source 'itemcode'"),
    (('requestTime = "now | datetime"', 'requestTime = "now | yyyy-MM-dd"'), "submit.body.requestTime",
     "unknown conversion"),
])
def test_rest_profile_wrong_in_each_way(tmp_path, change, where, reason):
    assert change[0] in REST_TEXT, change[0]
    path = write(tmp_path, REST_TEXT.replace(change[0], change[1], 1))
    problems = check_profile(path)
    assert any(f": {where}: " in p and reason in p for p in problems), problems


def test_a_wsdl_without_the_binding(tmp_path):
    """The issue's first symptom: another agency's WSDL with the kiosk's own profile."""
    problems = check_profile(os.path.join(os.path.dirname(SOAP_PROFILE), "..", "..", "profiles", "quyu-soap.toml"),
                             SOAP_WSDL)
    assert any("soap.binding: binding {urn:quyu-tongban:jurisdiction:1}Jurisdiction is not in" in p for p in problems)


def site(tmp_path, profile_text: str) -> str:
    folder = tmp_path / "site"
    (folder / "profiles").mkdir(parents=True)
    shutil.copy(SOAP_WSDL, folder / "profiles" / "intake.wsdl")
    (folder / "profiles" / "intake.toml").write_text(profile_text, encoding="utf-8")
    (folder / "site.toml").write_text(f'''
[kiosk]
id = "sanhe-hall-01"
site = "三河"
site_jurisdiction = "sanhe"
[data]
folder = "{tmp_path / 'data'}"
outbox_key = "{tmp_path / 'outbox.key'}"
[jurisdictions.sanhe]
name = "三河市"
protocol = "soap"
endpoint = "https://ycsl.sanhe.example.invalid/services/Intake"
wsdl = "profiles/intake.wsdl"
profile = "profiles/intake.toml"
''', encoding="utf-8")
    return str(folder / "site.toml")


def test_check_config_reports_every_profile_error_exit_2(tmp_path):
    text = (SOAP_TEXT.replace('appId = "kiosk.id"', 'appID = "kiosk.id"')
            .replace('materialCount = "attachment_count"', 'materialCount = "const:two"')
            .replace('reference = "acceptApplyResult/receiveNo"', 'reference = "acceptApplyResult/receiptNo"'))
    path = site(tmp_path, text)
    r = subprocess.run([sys.executable, "-m", "kiosk.cli", "check-config", "--template", path],
                       capture_output=True, text=True)
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 4 and "Traceback" not in r.stderr  # the unfilled appId is the fourth
    for key in ("submit.input.header.appID", "submit.input.materialCount", "submit.answer.reference",
                "submit.input.header: required element appId"):
        assert any(key in ln and "profiles/intake.toml:" in ln for ln in lines), (key, lines)
    good = site(tmp_path / "ok", SOAP_TEXT)
    r = subprocess.run([sys.executable, "-m", "kiosk.cli", "check-config", "--template", good],
                       capture_output=True, text=True)
    assert r.returncode == 0 and ": ok: " in r.stdout, r.stderr


def test_check_config_names_a_missing_profile_file_and_its_line(tmp_path):
    path = site(tmp_path, SOAP_TEXT)
    text = open(path, encoding="utf-8").read().replace('profile = "profiles/intake.toml"', 'profile = "profiles/nope.toml"')
    open(path, "w", encoding="utf-8").write(text)
    line = next(n for n, ln in enumerate(text.splitlines(), 1) if ln.startswith("profile ="))
    r = subprocess.run([sys.executable, "-m", "kiosk.cli", "check-config", path],
                       capture_output=True, text=True)
    assert r.returncode == 2 and f"{path}:{line}: jurisdictions.sanhe.profile: no such file" in r.stderr, r.stderr
