"""Fault: the log level is DEBUG on a kiosk (KIOSK_LOG_LEVEL=DEBUG for a support call). zeep then
dumps every SOAP envelope and urllib3 every request line: the applicant's name, phone number and
address must not reach a log line in clear, whoever writes it."""
import io
import logging

import pytest

from kiosk.logs import setup_logging
from tests.support.outbox import drive, forwarder_for, submit

pytestmark = pytest.mark.faults

NAME, PHONE, ADDRESS, ID = "欧阳修文", "13912345678", "河北省廊坊市大厂回族自治县大安街8号", "110105194912310021"


@pytest.fixture
def debug_log():
    stream = io.StringIO()
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    setup_logging(console=True, level="DEBUG")
    for h in root.handlers:
        if getattr(h, "_kiosk", False):
            h.setStream(stream)
    yield stream
    for h in root.handlers[:]:
        if getattr(h, "_kiosk", False):
            root.removeHandler(h)
    root.handlers[:], root.level = saved[0], saved[1]


@pytest.mark.parametrize("protocol", ["soap", "rest"])
def test_debug_log_of_a_delivery_has_no_name_phone_or_address(store, now, request, debug_log, protocol):
    sim = request.getfixturevalue(f"{protocol}_sim")
    fields = {"name": NAME, "id_number": ID, "phone": PHONE, "address": ADDRESS, "amount": "1200.00"}
    submit(store, protocol, fields=fields)
    assert drive(forwarder_for(store, sim), now)["delivered"] == 1
    text = debug_log.getvalue()
    assert text, "DEBUG logging wrote nothing: the test proves nothing"
    for secret in (NAME, PHONE, ADDRESS, ID, NAME[1:], ADDRESS[3:]):
        assert secret not in text, f"{secret} in the DEBUG log"


def test_a_log_line_with_a_name_keeps_only_the_surname(debug_log):
    log = logging.getLogger("kiosk.test")
    log.info("submit for %s", {"applicantName": NAME, "lxdh": PHONE, "jtdz": ADDRESS})
    log.debug("<sqrxm>%s</sqrxm><sjhm>%s</sjhm>", NAME, PHONE)
    text = debug_log.getvalue()
    assert NAME not in text and PHONE not in text and ADDRESS not in text
    assert "欧**" in text and "139****5678" in text and "河北省****" in text


ENVELOPE = (  # as zeep dumps one at DEBUG ("HTTP Post to …:"), and as an agency's profile shapes it
    '<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/"><soap-env:Body>'
    '<ns0:SubmitApplication xmlns:ns0="urn:quyu-tongban:jurisdiction:1"><ns0:Fields>'
    f'<ns0:Field><ns0:Name>name</ns0:Name><ns0:Value>{NAME}</ns0:Value></ns0:Field>'
    f'<ns0:Field><ns0:Name>phone</ns0:Name><ns0:Value>{PHONE}</ns0:Value></ns0:Field>'
    f'<ns0:Field><ns0:Name>address</ns0:Name><ns0:Value>{ADDRESS}</ns0:Value></ns0:Field></ns0:Fields>'
    f'<ns1:applicant xmlns:ns1="urn:x"><ns1:name>{NAME}</ns1:name><ns1:certNo>{ID}</ns1:certNo>'
    f'<ns1:mobile>{PHONE}</ns1:mobile><ns1:addr>{ADDRESS}</ns1:addr></ns1:applicant>'
    '</ns0:SubmitApplication></soap-env:Body></soap-env:Envelope>')


def test_an_envelope_dump_is_masked_whoever_logs_it(debug_log):
    logging.getLogger("some.library").debug("HTTP Post to %s:\n%s", "https://example.invalid/ws", ENVELOPE)
    logging.basicConfig()  # a library's own handler: it too gets masked text only
    text = debug_log.getvalue()
    assert "<ns0:Name>name</ns0:Name>" in text and "Envelope" in text
    for secret in (NAME, PHONE, ADDRESS, ID, NAME[1:], ADDRESS[3:]):
        assert secret not in text, f"{secret} in the DEBUG log"
