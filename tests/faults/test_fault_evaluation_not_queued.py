"""Fault: the outbox cannot queue an evaluation (disk full, database locked). The resident is
home at once all the same (rating never blocks), the failure is logged for the technician."""
import dataclasses
import logging

from kiosk.bootstrap import build
from kiosk.clock import FakeClock
from kiosk.config import load_config
from kiosk.errors import KioskError
from kiosk.journey import Journey, run_now
from tests.support.fakes import FakeOutbox, fake_factories
from tests.unit.test_journey import to_confirm


class FullOutbox(FakeOutbox):
    def evaluate(self, ev):
        raise KioskError("outbox: disk full")


def test_fault_evaluation_not_queued(tmp_path, caplog):
    cfg = dataclasses.replace(load_config(None, demo=True), data_folder=str(tmp_path))
    factories = fake_factories()
    factories["outbox"] = lambda c, k, cat: FullOutbox()
    services = build(cfg, clock=FakeClock(), factories=factories)
    journey = Journey(services.session, services.actions, executor=run_now)
    to_confirm(services, journey)
    journey.fire("submit")
    journey.fire("done")
    with caplog.at_level(logging.WARNING):
        journey.rate(1, ("slow",))
    assert journey.snapshot().state == "home"
    assert "evaluation not queued: KioskError: outbox: disk full" in caplog.text
    services.close()
