"""Transports to the jurisdictions: REST (requests) and SOAP (zeep), one interface."""
from __future__ import annotations

from offline_queue.transports.common import Endpoint, Transport, make_transport  # noqa: F401
