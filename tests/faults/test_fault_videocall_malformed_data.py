"""Fault: the other side of a call sends what the contract does not allow on the data channel —
binary, text that is not JSON, JSON nested beyond the parser, a message near the SCTP limit, a
note too long, a type the kiosk does not take. The kiosk ignores each one, logs why without its
content, shows nothing of it, and the call goes on: a good note after them arrives, media flows.
Janus runs in the test's own network namespace; the clerk is drivers/videocall/clerk.py."""
import json
import logging

import pytest

from tests.wire import test_videocall_janus as wire
from tests.wire.test_videocall_janus import CONTEXT, DESK, WAIT, Clerk, Heard, wait_for, why_not

pytestmark = pytest.mark.skipif(bool(why_not), reason=why_not)
call_site = wire.call_site  # the fixture: Janus in a namespace, the kiosk's desk, the clerk's loop

SECRET = "机密内容"
GARBAGE = [
    b"\x00\xff binary " + SECRET.encode(),
    "not json " + SECRET,
    "[" * 5000 + "]" * 5000,
    json.dumps({"type": "note", "text": SECRET * 5_000}, ensure_ascii=False),  # 60 KB of UTF-8: under SCTP's 64 KB
    json.dumps({"type": "note", "text": SECRET * 60}, ensure_ascii=False),  # 240 characters
    json.dumps({"type": "note"}),
    json.dumps({"type": "material", "text": SECRET}, ensure_ascii=False),
    json.dumps([{"type": "note", "text": SECRET}], ensure_ascii=False),
]


def test_malformed_data_messages_are_ignored_and_the_call_goes_on(call_site, caplog):
    _ns, url, _proc, desk, clerk_loop = call_site
    caplog.set_level(logging.INFO, logger="drivers.videocall")  # its own level: a CLI test may have quieted "drivers"
    heard = Heard()
    call = desk.call(DESK, CONTEXT, heard)
    heard.wait("queued")
    clerk = Clerk(clerk_loop, url)
    heard.wait("answered")
    assert clerk.context.wait(WAIT), clerk.log  # the channel carries data both ways
    for raw in GARBAGE:
        clerk.send_raw(raw)
    clerk.note("请补扫户口本首页")
    heard.wait("note")
    assert [e for e in heard.log if e[0] == "note"] == [("note", "请补扫户口本首页")]
    wait_for(lambda: len([r for r in caplog.records if "data message ignored" in r.getMessage()]) == len(GARBAGE),
             f"each one logged: {[r.getMessage() for r in caplog.records if 'videocall' in r.name]}")
    assert not any(SECRET in r.getMessage() for r in caplog.records)
    before = call.peer.stats["video_in"]
    wait_for(lambda: call.peer.stats["video_in"] > before + 5, "media still flowing")
    assert not heard.events["ended"].is_set()
    call.hang_up(wait=WAIT)
    clerk.close(wait=WAIT)
