"""Fault: the video gateway (Janus) dies mid-call (SIGKILL: a crash, the box's power). The kiosk's
call reports ended("lost") once; the journey puts the resident back at the step they called from,
every field kept, told the network was lost. Janus runs in the test's own network namespace."""
from drivers.videocall.desk import CallLoop
from tests.support import janus as gw
from tests.support import netns
from tests.wire import test_videocall_janus as wire
from tests.wire.test_videocall_janus import CONTEXT, DESK, WAIT, Clerk, Heard, wait_for, why_not

import pytest

pytestmark = pytest.mark.skipif(bool(why_not), reason=why_not)
call_site = wire.call_site  # the fixture: Janus in a namespace, the kiosk's desk, the clerk's loop


def test_the_gateway_killed_mid_call_is_a_lost_network(call_site):
    _ns, url, proc, desk, clerk_loop = call_site
    heard = Heard()
    call = desk.call(DESK, CONTEXT, heard)
    heard.wait("queued")
    Clerk(clerk_loop, url)
    heard.wait("answered")
    wait_for(lambda: call.peer.stats["video_in"] >= 3, "first frames at the kiosk")
    gw.kill(proc)
    heard.wait("ended")
    assert heard.log[-1] == ("ended", "lost")


def test_the_journey_through_the_gateway_killed_mid_call_keeps_the_form(tmp_path):
    """The whole slice: the resident at the form step presses help, consents, a clerk answers
    through Janus, media flows, the gateway dies; the resident is back at the form, every field kept,
    told the network was lost. The app's hop onto its main thread is a queue this thread drains."""
    import json

    from tests.support.calljourney import CallJourney
    from tests.support.fakes import RESIDENT

    with netns.namespace() as ns, gw.gateway(ns, str(tmp_path / "janus")) as (url, proc):
        site = CallJourney(ns, url, DESK, str(tmp_path / "data"))
        services, journey, pump_until = site.services, site.journey, site.until
        clerk_loop = CallLoop()
        netns.in_namespace(ns, clerk_loop._ensure)

        try:
            journey.fire("start")
            journey.fire("card_read", identity=RESIDENT, source="idreader")
            journey.fire("pick", matter=services.catalog.get("TZ-YB-001"))
            journey.fire("next")
            assert journey.snapshot().state == "form"
            services.session.data.form["phone"] = "13912345678"
            before = journey.snapshot()
            journey.help()
            journey.call.agree()
            pump_until(lambda: journey.snapshot().call.state == "waiting" and journey.snapshot().call.position == 1,
                       "queued")
            clerk = Clerk(clerk_loop, url)
            pump_until(lambda: journey.snapshot().call.state == "in_call", "answered")
            assert clerk.answered.wait(WAIT), clerk.log
            told = json.dumps(dict(clerk.log)["answered"], ensure_ascii=False)  # what the gateway carried
            assert "TZ-YB-001" in told and RESIDENT.id_number not in told and RESIDENT.name not in told
            peer = services.video.last.peer
            pump_until(lambda: peer.stats["video_in"] >= 5 and peer.stats["audio_in"] >= 10, "media at the kiosk")
            gw.kill(proc)
            pump_until(lambda: journey.snapshot().call.state == "idle", "the call ended")
            after = journey.snapshot()
            assert after.call.notice == "lost" and not after.call.camera_on
            assert (after.state, after.matter, after.identity, dict(after.form)) == \
                (before.state, before.matter, before.identity, dict(before.form))
        finally:
            services.close()
            clerk_loop.close()
