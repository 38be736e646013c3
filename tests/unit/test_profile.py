"""Interface profiles (offline_queue/profile.py): loading with file:line: path: reason errors, the
closed sets of sources and conversions, rendering templates, reading answers by JSON Pointer /
element path, business codes and status words. Sans-I/O: no server here."""
import base64
import datetime as _dt

import pytest

from offline_queue.profile import (
    LEGACY, Context, ProfileError, Reader, RenderError, json_pointer, load_profile, parse_profile, render,
    personal_mask, _MISSING,
)
from offline_queue.types import AttachmentRef, Request

REST = '''profile = 1
protocol = "rest"

[submit]
method = "POST"
path = "/apply/{item_code}"
id = "header:X-Request-Id"
attachments = "inline"

[submit.body]
no = "txid"
birth = "card.birth_date | yyyymmdd"
sex = "card.sex | sex_code"
cert = "card.card_type | id_type_code"
count = "attachment_count"
phone = "form.phone | optional"
files = { "$each" = "attachments", code = "attachment.material", data = "attachment.content" }
fixed = [ { k = "const:channel", v = "const:kiosk" } ]

[submit.answer]
code = "/code"
reference = "/data/no"
[submit.answer.codes]
delivered = [0]
duplicate = [409]
retry = [503]
dead = [400]

[status]
path = "/status/{txid}"
[status.answer]
status = "/data/state"
reason = "/data/why"
[status.answer.words]
received = ["已受理"]
needs_correction = ["需补正"]
completed = ["办结"]
'''


def request(**kw) -> Request:
    values = {"item_code": "1310820000MB1500000000004000111", "card.birth_date": "1949-12-31", "card.sex": "female",
              "card.card_type": "resident", "card.name": "张三丰", "card.id_number": "11010519491231002X",
              "tracking": "261202ABCDEF12", "submitted_at": "2026-12-02T08:30:00+08:00", "kiosk.id": "k-01"}
    values.update(kw.pop("values", {}))
    return Request(txid="6c1c4c8e-0000-4000-8000-000000000001", matter="SH-YB-001", operation="/x",
                   fields={"name": "张三丰", "amount": "12"}, values=values, **kw)


def test_the_shipped_profiles_load():
    for path in LEGACY.values():
        p = load_profile(path)
        assert {"submit", "status"} <= set(p.ops)


def test_render_rest_body_with_sources_conversions_and_repeats():
    p = parse_profile(REST, "x.toml")
    pdf = b"%PDF-1.4 scan"
    ref = AttachmentRef("idcopy", "ab" * 32, len(pdf))
    ctx = Context(request=request(attachments=(ref,)), read_attachment=lambda r: pdf, maps=p.maps)
    body = render(p.ops["submit"].body, ctx, binary=False)
    assert body == {"no": "6c1c4c8e-0000-4000-8000-000000000001", "birth": "19491231", "sex": "2", "cert": "111",
                    "count": 1, "files": [{"code": "idcopy", "data": base64.b64encode(pdf).decode()}],
                    "fixed": [{"k": "channel", "v": "kiosk"}]}  # phone: empty and optional, left out


def test_masked_render_hides_personal_values_only():
    p = parse_profile(REST.replace('no = "txid"', 'no = "txid"\nwho = "card.id_number"\nname = "card.name"'), "x.toml")
    ctx = Context(request=request(), maps=p.maps, mask=personal_mask)
    body = render(p.ops["submit"].body, ctx, binary=False)
    assert body["who"] == "110105********002X" and body["name"] == "张**"
    assert body["no"].startswith("6c1c4c8e") and body["cert"] == "111"


@pytest.mark.parametrize("change, where, reason", [
    (('no = "txid"', 'no = "card"'), "submit.body.no", "unknown source 'card'"),
    (('no = "txid"', 'no = "txid | rot13"'), "submit.body.no", "unknown conversion 'rot13'"),
    (('no = "txid"', 'no = "attachment.sha256"'), "submit.body.no", "only inside a repeated element"),
    (('no = "txid"', 'no = 12'), "submit.body.no", 'constants: "const:12"'),
    (('"$each" = "attachments"', '"$each" = "pages"'), "submit.body.files.$each", "must be one of"),
    (('path = "/apply/{item_code}"', 'path = "apply"'), "submit.path", "starting with /"),
    (('path = "/apply/{item_code}"', 'path = "/apply/{nope}"'), "submit.path", "unknown source 'nope'"),
    (('reference = "/data/no"', 'reference = "data.no"'), "submit.answer.reference", "not a JSON Pointer"),
    (('dead = [400]', 'lost = [400]'), "submit.answer.codes.lost", "must be one of"),
    (('completed = ["办结"]', 'finished = ["办结"]'), "status.answer.words.finished", "must be one of"),
    (('attachments = "inline"', 'attachments = "carrier-pigeon"'), "submit.attachments", "must be one of"),
    (('id = "header:X-Request-Id"', 'id = "cookie"'), "submit.id", "header:<Name>"),
    (('protocol = "rest"', 'protocol = "rest"\ncolour = "red"'), "colour", "unknown key"),
])
def test_bad_profiles_say_file_line_path_reason(change, where, reason):
    text = REST.replace(*change)
    with pytest.raises(ProfileError) as e:
        parse_profile(text, "agency.toml")
    [problem] = [p for p in e.value.problems if f": {where}: " in p]
    line = int(problem.split(":")[1])
    assert problem.startswith("agency.toml:") and reason in problem
    assert where.split(".")[-1].split("[")[0] in text.splitlines()[line - 1] or where.endswith("$each")


def test_every_problem_is_reported_not_the_first():
    text = REST.replace('no = "txid"', 'no = "card"').replace('reference = "/data/no"', 'reference = "x"')
    with pytest.raises(ProfileError) as e:
        parse_profile(text, "agency.toml")
    assert len(e.value.problems) == 2


def test_missing_sections_and_broken_toml():
    with pytest.raises(ProfileError, match="missing \\[status\\]"):
        parse_profile(REST.split("[status]")[0], "a.toml")
    with pytest.raises(ProfileError, match="a.toml:2: not valid TOML"):
        parse_profile('profile = 1\nprotocol = "rest\n', "a.toml")


def test_json_pointer_rfc6901():
    doc = {"a/b": {"m~n": [10, {"x": 0}]}, "": 1}
    assert json_pointer(doc, "/a~1b/m~0n/1/x") == 0
    assert json_pointer(doc, "/") == 1 and json_pointer(doc, "") is doc
    assert json_pointer(doc, "/a~1b/m~0n/2") is _MISSING and json_pointer(doc, "/a~1b/m~0n/01") is _MISSING


def test_business_codes_inside_http_200():
    p = parse_profile(REST, "x.toml")
    r = Reader(p, p.ops["submit"])
    assert r.outcome({"code": 0, "data": {"no": "R1"}}).outcome == "delivered"
    got = r.outcome({"code": 409, "data": {"no": "R1"}})
    assert (got.outcome, got.reference) == ("duplicate", "R1")
    assert r.outcome({"code": 503, "msg": "busy"}).outcome == "retry"
    assert r.outcome({"code": 400}).outcome == "dead"
    unknown = r.outcome({"code": 777, "msg": "?"})
    assert unknown.outcome == "dead" and "777" in unknown.message and "x.toml" in unknown.message
    with pytest.raises(RenderError, match="nothing at JSON Pointer '/code'.*fix submit.answer.code in x.toml:"):
        r.outcome({"result": 0})
    with pytest.raises(RenderError, match="'/data/no'"):
        r.outcome({"code": 0, "data": {}})


def test_status_words_and_reason():
    p = parse_profile(REST, "x.toml")
    r = Reader(p, p.ops["status"])
    assert r.status({"data": {"state": "需补正", "why": "照片不清晰"}}) == ("needs_correction", "照片不清晰", None)
    assert r.status({"data": {"state": "审核中"}})[0] == "unknown"


def test_conversions_refuse_what_they_cannot_take():
    p = parse_profile(REST, "x.toml")
    ctx = Context(request=request(values={"card.birth_date": "not a date"}), maps=p.maps)
    with pytest.raises(RenderError, match="submit.body.birth: conversion yyyymmdd"):
        render(p.ops["submit"].body, ctx, binary=False)
    ctx = Context(request=request(values={"card.card_type": "hmt_permit"}), maps=p.maps)
    with pytest.raises(RenderError, match="no 证件类型 code for card type 'hmt_permit'.*map:"):
        render(p.ops["submit"].body, ctx, binary=False)


def test_map_conversion_from_the_profile():
    text = REST.replace('cert = "card.card_type | id_type_code"', 'cert = "card.card_type | map:cert"') + \
        '\n[maps.cert]\nresident = "111"\nhmt_permit = "516"\n'
    p = parse_profile(text, "x.toml")
    ctx = Context(request=request(values={"card.card_type": "hmt_permit"}), maps=p.maps)
    assert render(p.ops["submit"].body, ctx, binary=False)["cert"] == "516"
    with pytest.raises(ProfileError, match="no \\[maps.nope\\]"):
        parse_profile(REST.replace("id_type_code", "map:nope"), "x.toml")


def test_now_changes_per_attempt_submitted_at_does_not():
    text = REST.replace('no = "txid"', 'no = "txid"\nsent = "now | compact_datetime"\nat = "submitted_at | utc"')
    p = parse_profile(text, "x.toml")
    t0 = _dt.datetime(2026, 12, 2, 8, 0, tzinfo=_dt.timezone.utc)
    a = render(p.ops["submit"].body, Context(request=request(), maps=p.maps, now=lambda: t0), binary=False)
    b = render(p.ops["submit"].body, Context(request=request(), maps=p.maps,
                                             now=lambda: t0 + _dt.timedelta(seconds=61)), binary=False)
    assert (a["sent"], b["sent"]) == ("20261202080000", "20261202080101")
    assert a["at"] == b["at"] == "2026-12-02T00:30:00Z"
