"""The durable outbox: an encrypted SQLite store, the forwarder worker, the SOAP and REST
transports, and simulated jurisdictions. Never imports kiosk/ or drivers/."""
from __future__ import annotations

from offline_queue.types import (  # noqa: F401
    AttachmentIn, AttachmentRef, CorruptStoreError, Dead, Delivered, ItemInfo, KeyFileError,
    OutboxError, RemoteStatus, Request, Retry, StoreFullError, UnavailableError, WrongKeyError,
)
