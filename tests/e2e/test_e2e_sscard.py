"""Journeys with the social security card: the real pyscard driver reads the virtual card that
vpcd serves through pcscd (the test run's one pcscd, tests/support/sscard.py). A resident is
identified by the card, applies for a matter that accepts it and types what the card does not
hold (an address); a matter that does not accept it sends the resident back to the identify
screen with the answer, and the ID card placed there goes on to that matter."""
import pytest

from drivers.sscard.pcscd import vpcd_reader
from tests.support.sscard import wait_slot_empty
from tests.support.ui import run_journey

pytestmark = pytest.mark.e2e

ONLINE_REST = "SH-YB-001"  # 异地就医备案, Sanhe (REST): accepts every card; the address comes from the card
RESIDENT_ONLY = "TZ-HJ-001"  # 居住证签注, Tongzhou: the resident ID card only
CARD = "ss-1"  # drivers/sscard/cards/ss-1.json: 张三, no address on the card
SS_NUMBER = "110112198507040013"
PHONE = "13912345678"
SITE_SLOT = 0  # the test site's sim://sscard (tests/support/site.py keeps the demo site's URL)


def sscard_journey(fn):
    """Like tests.support.ui.journey, with the run's pcscd up before the kiosk starts (the
    kiosk's own sim:// adapter then uses it and stops nothing) and the slot empty."""
    def test(kiosk_display, tmp_path, pcscd):
        wait_slot_empty(vpcd_reader(SITE_SLOT))
        try:
            run_journey(f"{fn.__module__}:{fn.__name__}", tmp_path, kiosk_display)
        finally:
            wait_slot_empty(vpcd_reader(SITE_SLOT))  # the kiosk's exit took the card out
    test.__name__, test.__doc__, test.__module__ = fn.__name__, fn.__doc__, fn.__module__
    test.journey = fn
    return test


def _field(ui, key: str):
    return next(w for w in ui.d.visible() if getattr(w, "field_key", None) == key)


@sscard_journey
def test_sscard_identifies_then_submits(ui):
    """Insert the card: identified as a social security card; the form takes the name and number
    from it and the resident types the address it lacks; sent to Sanhe with all of them."""
    assert "sscard" not in ui.services.availability, ui.services.availability
    ui.tap_id("start")
    ui.wait_state("identify")
    ui.shot("identify")
    ui.insert_sscard(CARD)
    ui.wait_state("choose")
    data = ui.services.session.data
    assert data.identity_source == "sscard"
    assert data.identity.card_type == "social_security" and data.identity.id_number == SS_NUMBER
    ui.shot("choose-after-sscard")
    ui.choose(ONLINE_REST)
    ui.tap_id("next")
    ui.wait_state("form")
    form = ui.screen
    assert {"name", "id_number"} <= form._locked and "address" not in form._locked
    ui.fill_form({"phone": PHONE})
    ui.tap(_field(ui, "address"))
    assert form.editor == "pinyin" and form.current == "address"
    ui.type_keys("sanheshi")
    ui.tap(ui.find("三河市"))
    ui.type_keys("yjz")  # initials: 燕郊镇
    ui.tap(ui.find("燕郊镇"))
    ui.type_keys("8号")
    assert form.values["address"] == "三河市燕郊镇8号"
    ui.shot("form-address-typed")
    ui.submit_from_form()
    ui.shot("receipt")
    scr = ui.screen
    assert scr.forwarded and scr.printing == "printed"
    txid = ui.services.session.data.submitted.outcome.txid
    sim = ui.twins["jurisdictions"]["sanhe"]
    assert txid in sim.delivered_ids()
    fields = sim.received[txid].fields
    assert fields["applicantName"] == "张三" and fields["certNo"] == SS_NUMBER
    assert fields["contactAddress"] == "三河市燕郊镇8号" and fields["mobile"] == PHONE
    ui.tap_id("finish")
    ui.skip_evaluation()


@sscard_journey
def test_sscard_refused_by_a_matter_answers_on_identify(ui):
    """A matter for resident ID cards only: back on the identify screen, which says so and names
    the matter; the resident takes the card out and places the ID card: on to that matter."""
    ui.identify(CARD, reader="sscard")
    ui.choose(RESIDENT_ONLY, expect="identify")
    scr = ui.screen
    ui.wait(lambda: "不能使用这种证件" in scr.problem, what="the refusal on the identify screen")
    assert "居住证签注" in scr.problem and "居民身份证" in scr.problem
    texts = " ".join(ui.texts())
    assert "不能使用这种证件" in texts  # on screen, not only in a property
    assert "不要取走证件" not in texts  # no "keep your card in" beside "use the ID card instead"
    ui.shot("identify-card-not-accepted")
    ui.twins["sscard"].remove()  # taking the card out here wipes nothing
    ui.show_card("resident-1")
    ui.wait_state("guide")
    data = ui.services.session.data
    assert data.matter.code == RESIDENT_ONLY and data.identity_source == "idreader"
    assert data.identity.card_type == "resident" and data.error is None
    ui.shot("guide-after-id-card")
