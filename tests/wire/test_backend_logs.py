"""Nothing personal in logs: sending through every example profile with every logger at DEBUG
(zeep's and urllib3's included) leaves no name, ID number, phone or scan in the records. The
transports never log a body or an envelope; zeep's envelope dump is kept below DEBUG's reach."""
import logging

import pytest

from offline_queue.sim import SimulatedJurisdiction
from offline_queue.transports import Endpoint, make_transport
from tests.support.backends import NAME, PHONE, SEX_FEMALE_ID, backend_request

pytestmark = pytest.mark.wire


@pytest.mark.parametrize("kind", ["soap", "rest", "nested-soap", "multipart-rest"])
def test_no_personal_data_in_any_log_record(kind, caplog):
    caplog.set_level(logging.DEBUG)  # the root logger: every library's records reach caplog
    for name in ("zeep", "zeep.transports", "urllib3", "offline_queue", "requests"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    logging.getLogger("zeep.transports").setLevel(logging.INFO)  # as the SOAP transport sets it
    sim = SimulatedJurisdiction(kind, "xianghe").start()
    try:
        req, files = backend_request(attachments=1)
        t = make_transport(Endpoint(code="xianghe", protocol=sim.protocol, connect_timeout=2, read_timeout=5,
                                    **sim.endpoint_kwargs()))
        t.send(req, lambda r: files[r.sha256])
        t.status(req.txid)
    finally:
        sim.stop()
    text = "\n".join(r.getMessage() for r in caplog.records)
    scan = next(iter(files.values()))
    for secret in (NAME, SEX_FEMALE_ID, PHONE, "1949-12-31", "19491231"):
        assert secret not in text, (secret, kind)
    assert scan[:40].decode("latin-1") not in text
