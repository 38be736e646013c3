"""Fault: no video gateway listening where the site config says (down, wrong port). The call
reports ended("failed") once and nothing else; the resident is told to ask the hall's staff."""
import pytest

from kiosk.devices.videodesk import JanusDesk
from tests.support import netns
from tests.wire import test_videocall_janus as wire
from tests.wire.test_videocall_janus import CONTEXT, DESK, Heard, why_not

pytestmark = pytest.mark.skipif(bool(why_not), reason=why_not)
call_site = wire.call_site  # the fixture: Janus in a namespace, the kiosk's desk, the clerk's loop


def test_no_gateway_listening_fails_the_call(call_site):
    _ns, _url, _proc, desk, _clerk_loop = call_site
    heard = Heard()
    other = JanusDesk("ws://127.0.0.1:1", timeout=3)
    try:
        netns.in_namespace(_ns, other._loop._ensure)
        other.call(DESK, CONTEXT, heard)
        heard.wait("ended")
        assert heard.log == [("ended", "failed")]
    finally:
        other.close()
