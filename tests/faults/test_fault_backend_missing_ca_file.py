"""Fault: a file the jurisdiction's section names is missing at send time (the CA bundle, the
client certificate, the credentials file, the profile): dead with the file and the config key to
fix, before anything is sent — not an internal error retried for ever (issue 19, item 4)."""
import pytest

from offline_queue.forwarder import Forwarder
from offline_queue.transports import make_transport
from tests.support.outbox import endpoint_for, submit

pytestmark = pytest.mark.faults


@pytest.mark.parametrize("key, field", [("ca_bundle", "ca_bundle"), ("client_cert", "client_cert"),
                                        ("credentials_file", "credentials"), ("profile", "profile")])
def test_missing_file_is_dead_naming_the_key(store, rest_sim, tmp_path, key, field):
    missing = str(tmp_path / "gone" / "file.pem")
    kw = {key: missing} | ({"client_key": missing} if key == "client_cert" else {})
    info = submit(store, "rest")
    Forwarder(store, {"dachang": make_transport(endpoint_for(rest_sim, **kw))}, rand=lambda: 0.0).run_due()
    got = store.get(info.txid)
    assert got.state == "dead" and missing in got.last_error and "is missing" in got.last_error
    assert f"fix {field} in [jurisdictions.dachang]" in got.last_error
    assert rest_sim.state.requests == 0
