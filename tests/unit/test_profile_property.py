"""Property: any transaction the kiosk can make, rendered through each example SOAP profile, gives
an envelope whose body the WSDL's own schema accepts (xmlschema); through each example REST
profile, a body that is JSON and carries the transaction id. Hypothesis draws the residents,
forms and attachments."""
import hashlib
import json
import uuid

import pytest
import xmlschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from offline_queue.profile import LEGACY
from offline_queue.sim.multipart_rest_app import PROFILE_FILE as MULTIPART_PROFILE
from offline_queue.sim.nested_soap_app import PROFILE_FILE as NESTED_PROFILE, WSDL_FILE as NESTED_WSDL
from offline_queue.sim.soap_app import WSDL_FILE as QUYU_WSDL
from offline_queue.transports import Endpoint, make_transport
from offline_queue.types import AttachmentRef, Request

XS = "http://www.w3.org/2001/XMLSchema"
TEXT = st.text(st.characters(categories=("L", "N", "P", "Zs"), exclude_characters="\x85\xa0"), min_size=1, max_size=30)
ID = st.text("0123456789", min_size=17, max_size=17).map(lambda s: s + "X")


def schema_of(wsdl: str) -> xmlschema.XMLSchema:
    tree = etree.parse(wsdl)
    [schema] = tree.getroot().iter(f"{{{XS}}}schema")
    return xmlschema.XMLSchema(etree.tostring(schema).decode())


@st.composite
def transactions(draw):
    n = draw(st.integers(0, 3))
    files, refs = {}, []
    for i in range(n):
        data = draw(st.binary(min_size=1, max_size=300))
        sha = hashlib.sha256(data).hexdigest()
        files[sha] = data
        refs.append(AttachmentRef(f"m{i}", sha, len(data)))
    birth = draw(st.dates(min_value=__import__("datetime").date(1900, 1, 1)))
    values = {"item_code": draw(st.from_regex(r"[0-9A-Z]{20,32}", fullmatch=True)), "tracking": "261202ABCDEF12",
              "submitted_at": "2026-12-02T08:30:00+08:00", "kiosk.id": draw(st.from_regex(r"[a-z][a-z0-9\-]{2,20}", fullmatch=True)),
              "card.name": draw(TEXT), "card.id_number": draw(ID), "card.birth_date": birth.isoformat(),
              "card.sex": draw(st.sampled_from(["male", "female", "unknown", "unspecified"])),
              "card.card_type": draw(st.sampled_from(["resident", "hmt_permit", "foreign_permanent", "social_security"])),
              **{f"material_name.m{i}": draw(TEXT) for i in range(n)}}
    if draw(st.booleans()):
        values["form.phone"] = draw(st.from_regex(r"1[3-9]\d{9}", fullmatch=True))
    fields = draw(st.dictionaries(st.from_regex(r"[a-zA-Z][a-zA-Z0-9_]{0,15}", fullmatch=True), TEXT, max_size=6))
    req = Request(txid=str(uuid.UUID(int=draw(st.integers(0, 2**128 - 1)), version=4)), matter="XH-YB-001",
                  operation="SubmitApplication", fields=fields, attachments=tuple(refs), values=values)
    return req, files


@pytest.mark.parametrize("profile, wsdl", [(LEGACY["soap"], QUYU_WSDL), (NESTED_PROFILE, NESTED_WSDL)],
                         ids=["quyu-soap", "nested-soap"])
def test_every_rendered_envelope_fits_the_wsdl_schema(profile, wsdl):
    schema = schema_of(wsdl)
    t = make_transport(Endpoint(code="x", protocol="soap", url="http://127.0.0.1:9/", wsdl=wsdl, profile=profile))

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(transactions())
    def check(tx):
        req, files = tx
        calls = t.render_submit(req, lambda r: files[r.sha256])
        for env in t.envelopes(calls):
            body = etree.fromstring(env).find("{http://schemas.xmlsoap.org/soap/envelope/}Body")
            [op] = list(body)
            errors = list(schema.iter_errors(etree.tostring(op).decode()))
            assert not errors, errors[0]
    check()


@pytest.mark.parametrize("profile", [LEGACY["rest"], MULTIPART_PROFILE], ids=["quyu-rest", "multipart-rest"])
def test_every_rendered_rest_request_is_well_formed(profile):
    t = make_transport(Endpoint(code="x", protocol="rest", url="http://127.0.0.1:9/", profile=profile))

    @settings(max_examples=60, deadline=None)
    @given(transactions())
    def check(tx):
        req, files = tx
        for prep in t.render_submit(req, lambda r: files[r.sha256]):
            assert prep.url.startswith("http://127.0.0.1:9/")
            ctype = prep.headers.get("Content-Type", "")
            if ctype.startswith("application/json"):
                assert isinstance(json.loads(prep.body), dict)
            assert req.txid in json.dumps(dict(prep.headers)) or req.txid in prep.url
    check()
