"""Simulated jurisdictions for tests and the demo: real HTTP(S) servers on loopback (REST and
SOAP) that deduplicate, record, pre-review, answer queries and fail on command."""
from __future__ import annotations

from offline_queue.sim.server import KINDS, SimulatedJurisdiction, start_simulator  # noqa: F401
from offline_queue.sim.state import FaultPlan, JurisdictionState  # noqa: F401
