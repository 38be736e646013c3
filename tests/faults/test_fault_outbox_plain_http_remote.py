"""Fault (privacy): an endpoint with plain http:// to a host other than loopback would carry
names, ID numbers and scans in the clear. The site config refuses it (also with --demo), and the
transports themselves refuse to send there, unless the site explicitly allows it
(allow_plain_http = true, a closed test network) — issue 19, item 5."""
import pytest

from kiosk.config import parse_config
from kiosk.errors import ConfigError
from offline_queue.transports import Endpoint, make_transport
from offline_queue.transports.common import plain_http_refused
from offline_queue.types import Dead, OutboxError
from tests.support.outbox import make_request

pytestmark = pytest.mark.faults

SITE = '''
[kiosk]
id = "dachang-hall-01"
site = "大厂"
site_jurisdiction = "dachang"
[data]
folder = "/var/lib/kiosk"
outbox_key = "/etc/kiosk/outbox.key"
[jurisdictions.dachang]
protocol = "rest"
endpoint = "http://10.20.30.40/api"
'''


def test_config_refuses_plain_http_even_on_a_demo_site():
    for demo in (False, True):
        with pytest.raises(ConfigError) as e:
            parse_config(SITE, "site.toml", demo=demo)
        assert "in the clear" in str(e.value) and "allow_plain_http" in str(e.value)
    cfg = parse_config(SITE + "allow_plain_http = true\n", "site.toml")
    assert cfg.jurisdictions["dachang"].allow_plain_http


@pytest.mark.parametrize("protocol", ["rest", "soap"])
def test_transports_refuse_to_send_in_the_clear(protocol, tmp_path):
    from offline_queue.sim.soap_app import WSDL_FILE
    ep = Endpoint(code="dachang", protocol=protocol, url="http://10.20.30.40:9/api",
                  wsdl=WSDL_FILE if protocol == "soap" else None, connect_timeout=0.5, read_timeout=0.5)
    t = make_transport(ep)
    out = t.send(make_request(protocol), lambda r: b"")  # refused before any connection is tried
    assert isinstance(out, Dead) and "refusing plain http://" in out.reason and "https://" in out.reason
    with pytest.raises(OutboxError, match="refusing plain http://"):
        t.status("00000000-0000-4000-8000-000000000000")
    assert plain_http_refused(Endpoint(code="d", protocol=protocol, url="http://127.0.0.1:8080/")) is None
    assert plain_http_refused(Endpoint(code="d", protocol=protocol, url="http://10.20.30.40/", allow_plain_http=True)) is None
