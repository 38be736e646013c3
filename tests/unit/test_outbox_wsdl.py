"""The WSDL shipped with the package is the one the simulated SOAP jurisdiction serves, and the
zeep client loads it from the file with the hardened settings."""
import zeep

from offline_queue.sim.soap_app import WSDL_FILE, wsdl_text
from offline_queue.transports.soap import BINDING, HARDENED


def test_shipped_wsdl_matches_the_service():
    assert open(WSDL_FILE, encoding="utf-8").read() == wsdl_text("http://127.0.0.1:0/")


def test_zeep_loads_the_shipped_wsdl_hardened():
    client = zeep.Client(WSDL_FILE, settings=zeep.Settings(**HARDENED))
    ops = set(client.wsdl.bindings[BINDING]._operations)
    assert {"SubmitApplication", "UploadAttachment", "QueryStatus", "Query"} <= ops
