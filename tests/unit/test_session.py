"""The session machine: every transition, idle countdown on a fake clock, wiping."""
import datetime as dt

import pytest

from kiosk.catalog import load_catalog
from kiosk.clock import FakeClock
from kiosk.identity import Identity
from kiosk.session import ANY_STATE, STATES, TRANSITIONS, Session, journey_steps, markdown_table

CAT = load_catalog()
APPLY = CAT.get("TZ-GJJ-002")  # materials + delivery
QUERY = CAT.get("TZ-GJJ-001")
NO_MAIL = CAT.get("DC-MZ-001")  # no materials, electronic delivery only
RESIDENT_ONLY = CAT.get("TZ-HJ-001")


def ident(**kw):
    base = dict(card_type="resident", name="张三", id_number="11010519491231002X", sex="female",
                birth_date=dt.date(1949, 12, 31), valid_to=dt.date(2040, 1, 1))
    base.update(kw)
    return Identity(**base)


@pytest.fixture
def s():
    return Session(FakeClock(), idle_timeout=90, idle_warning=20)


def walk_to(s, state, matter=APPLY):
    s.fire("start")
    s.fire("card_read", identity=ident(), source="idreader")
    s.fire("pick", matter=matter)
    while s.state != state:
        assert s.fire("next") != "confirm" or state == "confirm"
    return s


def test_journey_steps():
    assert journey_steps(APPLY) == ["guide", "form", "scan", "delivery", "confirm"]
    assert journey_steps(QUERY) == ["guide", "form", "answer"]
    assert journey_steps(NO_MAIL) == ["guide", "form", "confirm"]


def test_full_application_journey_and_wipe(s):
    seen = []
    s.add_listener(lambda old, new, ev: seen.append((old, ev, new)))
    walk_to(s, "confirm")
    data = s.data
    data.form["phone"] = "13800138000"
    assert s.fire("submit") == "submit"
    assert s.fire("submitted", submitted="OUT") == "receipt" and s.data.submitted == "OUT"
    assert s.fire("done") == "evaluate"  # 好差评: the resident is forgotten before it shows
    assert data.identity is None and data.form == {} and s.data.identity is None
    assert s.fire("skip") == "home"
    assert [x[2] for x in seen] == ["identify", "choose", "guide", "form", "scan", "delivery", "confirm", "submit", "receipt",
                                    "evaluate", "home"]


def test_back_walks_the_steps_and_to_choose(s):
    walk_to(s, "delivery")
    assert [s.fire("back") for _ in range(4)] == ["scan", "form", "guide", "choose"]
    assert s.fire("back") == "home" and s.data.identity is None


def test_query_goes_to_answer(s):
    walk_to(s, "answer", QUERY)
    s.fire("answered", answer={"balance": "1"})
    assert s.data.answer == {"balance": "1"}
    assert s.fire("done") == "evaluate" and s.data.answer is None and s.evaluating.service == "query"


def test_unusable_cards_stay_with_a_resident_sentence(s):
    s.fire("start")
    s.fire("card_read", identity=ident(valid_to=dt.date(2020, 1, 1)))
    assert s.state == "identify" and s.data.error.code == "expired" and "有效期" in s.data.error.zh
    s.fire("card_read", identity=ident(id_number="110105194912310021"))
    assert s.data.error.code == "invalid_number"
    s.fire("card_read", identity=ident(card_type="social_security"), source="sscard")
    assert s.state == "choose" and s.data.error is None
    s.fire("pick", matter=RESIDENT_ONLY)
    assert s.state == "identify" and s.data.error.code == "card_not_accepted"
    s.fire("card_removed", source="sscard")  # swapping cards on the identify screen wipes nothing
    assert s.state == "identify" and s.data.matter is RESIDENT_ONLY
    s.fire("card_read", identity=ident(), source="idreader")
    assert s.state == "guide" and s.data.matter is RESIDENT_ONLY and s.data.error is None


def test_back_from_a_refusal_is_choose_another_matter(s):
    s.fire("start")
    s.fire("back")
    assert s.state == "home"  # no card read yet: back is home
    s.fire("start")
    s.fire("card_read", identity=ident(card_type="social_security"), source="sscard")
    s.fire("pick", matter=RESIDENT_ONLY)
    s.fire("back")
    assert s.state == "choose" and s.data.matter is None and s.data.error is None
    assert s.data.identity is not None and s.data.identity.card_type == "social_security"


def test_submit_failure_returns_to_confirm_keeping_data(s):
    walk_to(s, "confirm")
    s.fire("submit")
    s.fire("failed", error="disk full")
    assert s.state == "confirm" and s.data.identity is not None and s.data.error == "disk full"


def test_idle_warning_then_wipe_on_a_fake_clock(s):
    walk_to(s, "form")
    s.clock.advance(89)
    s.tick()
    assert s.warning_remaining is None and s.state == "form"
    s.clock.advance(1)
    assert s.warning_remaining == 20
    s.clock.advance(15)
    s.tick()
    assert s.warning_remaining == 5 and s.state == "form"
    s.touch()  # the resident touched: countdown gone
    assert s.warning_remaining is None
    s.clock.advance(110)
    s.tick()
    assert s.state == "home" and s.data.identity is None


def test_no_idle_timeout_while_submitting_or_at_home(s):
    s.clock.advance(10_000)
    s.tick()
    assert s.state == "home"
    walk_to(s, "confirm")
    s.fire("submit")
    s.clock.advance(10_000)
    s.tick()
    assert s.state == "submit"


def test_card_removal_wipes_only_for_the_identifying_card(s):
    walk_to(s, "delivery")
    s.fire("card_removed", source="sscard")
    assert s.state == "delivery"
    s.fire("card_removed", source="idreader")
    assert s.state == "home" and s.data.identity is None


def test_the_card_may_leave_the_reader_only_to_be_scanned_as_a_material():
    """A matter whose materials include the ID card (catalog kind id_card, not its name): lifted in
    the scan step, the session stays (the card is on the scanner; the idle timeout guards a
    walk-away); lifted in any other step, or in the scan step of a matter without it: wiped."""
    from kiosk.session import scans_id_card

    assert scans_id_card(APPLY) and not scans_id_card(CAT.get("TZ-YB-001"))
    s = Session(FakeClock())
    walk_to(s, "scan")
    assert s.data.card_on_reader
    s.fire("card_removed", source="idreader")
    assert s.state == "scan" and s.data.identity is not None and not s.data.card_on_reader
    s.clock.advance(s.idle_timeout + s.idle_warning + 1)
    s.tick()
    assert s.state == "home" and s.data.identity is None  # walked away with the card on the scanner
    s = Session(FakeClock())
    walk_to(s, "scan", matter=CAT.get("TZ-YB-001"))
    s.fire("card_removed", source="idreader")
    assert s.state == "home"


def test_cancel_from_every_state_but_home_and_submit_wipes():
    for state in STATES:
        s = Session(FakeClock())
        s.state = state
        s.data.identity = ident()
        s.fire("cancel")
        if state in ("home", "submit"):
            assert s.state == state
        else:
            assert s.state == "home" and s.data.identity is None


def test_every_transition_in_the_table_is_taken():
    """Walk every (state, event) in the table from a session set up in that state."""
    payloads = {"card_read": dict(identity=ident()), "pick": dict(matter=APPLY), "submitted": dict(submitted=1),
                "failed": dict(error="e"), "answered": dict(answer=1), "found": dict(items=[])}
    for (state, event) in TRANSITIONS:
        s = Session(FakeClock())
        s.state = state
        s.data.matter = QUERY if state == "answer" else APPLY
        s.data.identity = ident()
        new = s.fire(event, **payloads.get(event, {}))
        assert new in STATES, (state, event)
    for event, (_, excluded) in ANY_STATE.items():
        for state in STATES:
            s = Session(FakeClock())
            s.state, s.data.identity, s.data.identity_source = state, ident(), "idreader"
            s.data.matter = APPLY
            s.fire(event, source="idreader")
            lifted_to_scan = state == "scan" and event == "card_removed"  # APPLY scans the ID card
            assert s.state == (state if state in excluded or lifted_to_scan else "home"), (state, event)


def test_ignored_events_change_nothing(s):
    assert s.fire("submit") == "home"
    assert s.fire("submitted") == "home"


def test_docs_table_is_current():
    with open("docs/session.md", encoding="utf-8") as f:
        assert f.read() == markdown_table(), "run: python -m kiosk.session > docs/session.md"


def test_steps_hand_their_data_to_the_session():
    """The form's values, a scanned material and the delivery travel as payloads of events: no
    screen writes into the session's data."""
    from kiosk.ports import ScannedMaterial
    from kiosk.transaction import Delivery

    s = Session(FakeClock())
    walk_to(s, "form")
    assert s.fire("next", form={"phone": "13800138000"}) == "scan" and s.data.form == {"phone": "13800138000"}
    page = ScannedMaterial("id_copy", "/x.pdf", 1, (), "0" * 64, 10)
    assert s.fire("scanned", material=page) == "scan" and s.data.attachments == {"id_copy": page}
    s.fire("next")
    assert s.fire("next", delivery=Delivery("pickup")) == "confirm" and s.data.delivery == Delivery("pickup")


def test_an_event_fired_by_a_listener_waits_until_every_listener_knows():
    """A listener that answers a transition with an event (the journey's synchronous executor in
    tests) must not make the listeners after it see the transitions out of order."""
    s = Session(FakeClock())
    seen = []

    def first(old, new, event):
        seen.append(("first", new))
        if new == "identify":
            s.fire("back")

    s.add_listener(first)
    s.add_listener(lambda old, new, event: seen.append(("second", new)))
    assert s.fire("start") == "home"  # the answer waited, then ran
    assert seen == [("first", "identify"), ("second", "identify"), ("first", "home"), ("second", "home")]


def test_a_card_that_could_not_be_read_is_a_session_event_where_a_card_is_asked_for(s):
    """One route for every card event: a read failure is the error the identify (or progress)
    screen shows, and is ignored elsewhere."""
    from kiosk.session import Problem
    s.fire("start")
    err = Problem("read_failed", "读卡失败", "The card could not be read")
    assert s.fire("card_failed", source="idreader", error=err) == "identify" and s.data.error == err
    s.fire("card_read", identity=ident(), source="idreader")
    assert s.state == "choose" and s.data.error is None
    assert s.fire("card_failed", source="idreader", error=err) == "choose" and s.data.error is None


def test_an_event_the_state_does_not_take_keeps_the_idle_countdown(s):
    """A late device report is not the resident: only events the state takes count as presence."""
    walk_to(s, "form")
    s.clock.advance(85)
    s.fire("card_read", identity=ident(), source="idreader")  # ignored on the form
    s.clock.advance(5)
    assert s.warning_remaining == 20
