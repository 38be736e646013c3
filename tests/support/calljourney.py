"""A journey whose video port is the kiosk's real one (kiosk/devices/videodesk.py through the
composition root) on a Janus a test started in its namespace: the demo site with [video], fake
devices, the injected clock, and the app's main thread stood in for by a queue the test drains
(`until`). The call thread is started inside the namespace (media refuses loopback)."""
from __future__ import annotations

import dataclasses
import queue

from kiosk.bootstrap import build
from kiosk.clock import FakeClock
from kiosk.config import VideoConfig, load_config
from kiosk.journey import Journey, run_now
from tests.support import netns
from tests.support.fakes import fake_factories

WAIT = 20.0  # seconds for real network I/O to happen (never a timeout the test relies on)


class CallJourney:
    def __init__(self, ns: str, url: str, desk: str, data_folder: str):
        cfg = dataclasses.replace(load_config(None, demo=True), data_folder=data_folder,
                                  video=VideoConfig(gateway=url, desk=desk, camera="test://pattern",
                                                    microphone="test://tone", speaker="test://null"))
        self.services = build(cfg, clock=FakeClock(), factories=fake_factories())
        self._main: queue.Queue = queue.Queue()
        self.journey = Journey(self.services.session, self.services.actions, executor=run_now,
                               video=self.services.video, post=self._main.put)
        netns.in_namespace(ns, self.services.video._loop._ensure)

    def until(self, cond, what: str) -> None:
        """Run what the call posted to the main thread until `cond()` holds (WAIT at most)."""
        for _ in range(int(WAIT / 0.05)):
            if cond():
                return
            try:
                self._main.get(timeout=0.05)()
            except queue.Empty:
                pass
        raise AssertionError(f"not within {WAIT} s: {what}: {self.journey.snapshot().call}")

    def close(self) -> None:
        self.services.close()
