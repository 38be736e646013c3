"""好差评 (issue 16 #1): after each transaction and each query the journey opens an evaluation by
itself, with the resident already forgotten; rated, skipped, left alone or the card taken, it goes
home and never blocks; the evaluation is linked to the tracking number and matter only, and is
queued in the outbox as an item of its own kind."""
import dataclasses

import pytest

from kiosk.bootstrap import build
from kiosk.clock import FakeClock
from kiosk.config import ConfigProblems, load_config, parse_config, DEMO_SITE
from kiosk.evaluation import Evaluation, Subject
from kiosk.journey import Journey, run_now
from tests.support.fakes import RESIDENT, fake_factories
from tests.unit.test_journey import QUERY, identified, to_confirm



@pytest.fixture
def kiosk(tmp_path):
    cfg = dataclasses.replace(load_config(None, demo=True), data_folder=str(tmp_path))
    services = build(cfg, clock=FakeClock(), factories=fake_factories())
    journey = Journey(services.session, services.actions, executor=run_now)
    yield services, journey
    services.close()


def receipt(services, journey):
    to_confirm(services, journey)
    journey.fire("submit")
    snap = journey.snapshot()
    assert snap.state == "receipt"
    return snap.submitted.receipt.tracking_number, snap.matter


def test_after_a_transaction_the_evaluation_opens_with_the_resident_forgotten(kiosk):
    services, journey = kiosk
    number, matter = receipt(services, journey)
    journey.fire("done")
    snap = journey.snapshot()
    assert snap.state == "evaluate"
    assert snap.identity is None and snap.form == {} and snap.submitted is None and snap.qr_path == ""
    assert snap.evaluating == Subject("application", matter.code, matter.name, matter.name_en or "",
                                      tracking=number, jurisdiction=matter.jurisdiction)
    journey.rate(1, ("slow", "repeat"), " 等了很久 ")
    assert journey.snapshot().state == "home" and journey.snapshot().evaluating is None
    [ev] = services.outbox.evaluations
    assert (ev.level, ev.reasons, ev.comment, ev.subject.tracking) == (1, ("slow", "repeat"), "等了很久", number)
    assert RESIDENT.id_number not in repr(ev) and RESIDENT.name not in repr(ev)


def test_skipped_in_one_touch_nothing_is_queued(kiosk):
    services, journey = kiosk
    receipt(services, journey)
    journey.fire("done")
    journey.skip_evaluation()
    assert journey.snapshot().state == "home" and services.outbox.evaluations == []


def test_left_alone_it_goes_home_after_its_own_timeout_without_a_warning(kiosk):
    services, journey = kiosk
    receipt(services, journey)
    journey.fire("done")
    s = services.session
    assert s.evaluation_timeout == services.config.evaluation.timeout == 30  # [evaluation] timeout
    s.clock._mono += s.evaluation_timeout - 1
    s.tick()
    assert s.state == "evaluate" and s.warning_remaining is None
    s.clock._mono += 1
    s.tick()
    assert s.state == "home" and services.outbox.evaluations == []


def test_taking_the_card_at_the_receipt_opens_the_evaluation(kiosk):
    services, journey = kiosk
    number, _ = receipt(services, journey)
    services.idreader.remove()
    assert journey.snapshot().state == "evaluate" and journey.snapshot().evaluating.tracking == number
    services.idreader.place(RESIDENT)  # a card placed now is not read into the evaluation
    assert journey.snapshot().identity is None


def test_a_query_matter_and_an_answered_progress_query_are_rated_too(kiosk):
    services, journey = kiosk
    identified(services, journey, QUERY)
    journey.finish_form(services.actions.prefill(journey.snapshot().matter, RESIDENT))
    assert journey.snapshot().state == "answer" and journey.snapshot().answer
    journey.fire("done")
    assert journey.snapshot().evaluating.service == "query" and journey.snapshot().evaluating.tracking == ""
    journey.rate(5)
    journey.fire("query")
    journey.fire("back")  # nothing asked: nothing to rate
    assert journey.snapshot().state == "home"
    journey.fire("query")
    journey.progress_by_number("261127ABCDEF01")
    journey.fire("done")
    assert journey.snapshot().evaluating == Subject("progress", "")
    journey.rate(3)
    assert [e.level for e in services.outbox.evaluations] == [5, 3]


def test_reasons_and_text_go_with_the_lower_two_levels_only():
    s = Subject("application", "TZ-YB-001", tracking="261127ABCDEF01")
    assert Evaluation(s, 2, ("unclear",), "看不懂").reasons == ("unclear",)
    for bad in (dict(level=6), dict(level=5, reasons=("slow",)), dict(level=4, comment="x"),
                dict(level=1, reasons=("rude",)), dict(level=1, comment="长" * 101)):
        with pytest.raises(ValueError):
            Evaluation(s, **{"level": 1, **bad})


def test_a_rating_outside_the_evaluation_does_nothing(kiosk):
    services, journey = kiosk
    journey.rate(5)
    assert services.outbox.evaluations == [] and journey.snapshot().state == "home"


def test_the_platform_is_named_in_the_site_config_and_serves_no_matters(kiosk):
    services, _ = kiosk
    cfg = services.config
    assert cfg.evaluation.jurisdiction == "haochaping" and "haochaping" in cfg.jurisdictions
    assert "haochaping" not in cfg.serving and "haochaping" not in services.actions.served()
    text = DEMO_SITE.read_text(encoding="utf-8").replace('jurisdiction = "haochaping"', 'jurisdiction = "hcp"')
    with pytest.raises(ConfigProblems) as e:
        parse_config(text, "site.toml", demo=True)
    assert "evaluation.jurisdiction: no [jurisdictions.hcp] section" in str(e.value)
