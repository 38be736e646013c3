"""The help call's contract, sans-I/O (drivers/videocall/contract.py; docs/videocall.md): the desk's
roster (the queue, who is taken, a kiosk's place, which clerk a kiosk receives), displays, and the
data-channel messages (checked, cut into parts and put back together)."""
import json
import logging

import pytest

from drivers.videocall import contract as C


def pub(feed, **display):
    return {"id": feed, "display": json.dumps(display)}


def kiosk(feed, since=0.0):
    return pub(feed, role="kiosk", kiosk_id=f"k-{feed}", since=since)


def clerk(feed, for_, name="c"):
    return pub(feed, role="clerk", clerk=name, **{"for": for_})


def test_the_queue_is_the_kiosks_not_taken_first_listed_first():
    r = C.Roster()
    r.listed([kiosk("a")])
    r.listed([kiosk("b"), pub("w", role="watch")])  # a watcher is never listed by Janus; if it were, it is no kiosk
    assert r.queue() == ["a", "b"] and (r.place("a"), r.place("b")) == (1, 2)
    r.listed([clerk("c1", "a")])
    assert r.taken("a") and r.queue() == ["b"] and r.place("b") == 1 and r.place("a") == 0
    assert r.clerks_for("a") == ["c1"] and r.clerks_for("b") == []
    r.left("c1")  # the clerk left: the kiosk waits again, at its place
    assert r.queue() == ["a", "b"]
    r.left("a")
    assert r.queue() == ["b"] and r.place("b") == 1


def test_kiosks_found_already_there_go_by_since_then_by_arrival():
    r = C.Roster()
    r.listed([kiosk("late", since=20.0), kiosk("early", since=10.0), pub("odd", role="kiosk")])  # one joined listing
    r.listed([kiosk("new", since=5.0)])  # listed later: after them, whatever its clock says
    assert r.queue() == ["early", "late", "odd", "new"]


def test_the_first_clerk_listed_for_a_kiosk_is_its_clerk_and_ids_compare_as_text():
    r = C.Roster()
    r.listed([kiosk(7)])
    r.listed([clerk("c2", "7", name="second")])  # a console that echoes the id as text
    r.listed([clerk("c1", 7, name="first")])
    assert r.clerks_for(7) == ["c2", "c1"] and r.display_of("c2")["clerk"] == "second"
    assert not C.same(None, None) and C.same(7, "7")


def test_our_own_publisher_counts_from_when_it_is_listed():
    r = C.Roster()
    r.listed([kiosk("a")])
    r.add_self("me", {"role": "kiosk"})
    r.listed([kiosk("b")])  # after us
    assert r.place("me") == 2 and r.place("b") == 3
    r.listed([clerk("c", "a")])
    assert r.place("me") == 1


def test_displays_that_are_not_the_contracts_are_nobody():
    assert C.who({"display": "not json"}) == {} and C.who({"display": "[1]"}) == {}
    assert C.who({"display": json.dumps({"role": "kiosk", "x": "y" * 600})}) == {}  # beyond 512 bytes
    assert C.who({}) == {}


def test_a_display_is_cut_to_512_bytes_at_its_longest_text():
    d = C.display({"role": "kiosk", "kiosk_id": "k1", "matter_name": "很长的事项名称" * 40, "step": "", "since": 1.5})
    assert len(d.encode()) <= 512
    got = json.loads(d)
    assert got["role"] == "kiosk" and got["kiosk_id"] == "k1" and "step" not in got and got["since"] == 1.5
    assert got["matter_name"].startswith("很长的事项名称")


def test_a_material_is_cut_into_parts_and_put_back_together_in_any_order():
    pages = (b"\xff\xd8" + bytes(range(256)) * 100 + b"\xff\xd9", b"\xff\xd8small\xff\xd9")
    msgs = [C.parse(m, ("material",)) for m in C.material_parts("m1", "hukou", "户口簿", pages)]
    assert all(len(m["data"]) <= C.PART_MAX for m in msgs)
    assert [(m["page"], m["part"], m["parts"]) for m in msgs] == [(1, 1, 3), (1, 2, 3), (1, 3, 3), (2, 1, 1)]
    assert all(len(json.dumps(m, ensure_ascii=False)) <= C.MESSAGE_MAX for m in msgs)
    got = C.Materials()
    for m in reversed(msgs):
        got.add(m)
    assert got.complete() == [{"id": "m1", "code": "hukou", "name": "户口簿", "pages": pages}]


def test_an_incomplete_material_is_not_complete():
    got = C.Materials()
    parts = [C.parse(m, ("material",)) for m in C.material_parts("m2", "a", "A", (b"x" * 20000,))]
    got.add(parts[0])
    assert got.complete() == []


@pytest.mark.parametrize("raw, why", [
    (b"\x00\x01", "not text"),
    ("x" * 70, "not JSON"),
    ("[1, 2]", "not an object with a type"),
    ("[" * 5000 + "]" * 5000, "not JSON"),  # nested beyond the parser
    ("\ud800", "not JSON"),
    ('{"text": "hi"}', "not an object with a type"),
    ('{"type": "shout", "text": "hi"}', "unexpected type 'shout'"),
    (json.dumps({"type": "note", "text": "长" * 201}), "a note of 201 characters"),
    (json.dumps({"type": "note", "text": "   "}), "a note without text"),
    (json.dumps({"type": "note", "text": 5}), "a note without text"),
    (json.dumps({"type": "note", "text": "x" * 20000}), "too long"),
    (json.dumps({"type": "material", "id": "m", "code": "c", "name": "n", "page": 2, "pages": 1, "part": 1,
                 "parts": 1, "data": ""}), "numbered out of range"),
    (json.dumps({"type": "material", "id": "m", "code": "c", "name": "n", "page": True, "pages": 1, "part": 1,
                 "parts": 1, "data": ""}), "without its numbers"),
])
def test_malformed_messages_are_ignored_and_logged_without_their_content(caplog, raw, why):
    caplog.set_level(logging.WARNING, logger="drivers.videocall")  # its own level: a CLI test may have quieted "drivers"
    assert C.parse(raw, ("note", "material")) is None
    (rec,) = caplog.records
    assert why in rec.getMessage(), rec.getMessage()
    assert "hi" not in rec.getMessage() and "长" not in rec.getMessage() and "xxx" not in rec.getMessage()


def test_good_messages_pass():
    assert C.parse(C.note("请补扫户口本首页"), ("note",)) == {"type": "note", "text": "请补扫户口本首页"}
    assert C.parse(C.hello(), ("hello", "note")) == {"type": "hello"}
    ctx = C.parse(C.context({"step": "form", "matter_code": "TZ", "kiosk_id": "not sent"}), ("context",))
    assert ctx == {"type": "context", "step": "form", "matter_code": "TZ", "matter_name": "", "jurisdiction": ""}
    assert C.parse(C.note("x"), ("context",)) is None  # a kiosk's message a kiosk does not take
