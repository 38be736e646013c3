"""The outbox's own small types: a request to a jurisdiction, send outcomes, an item's metadata,
and the errors it raises. kiosk/ maps its domain onto these."""
from __future__ import annotations

import dataclasses
from typing import Literal, Mapping

import orjson

State = Literal["queued", "sending", "delivered", "dead"]
STATES: tuple[State, ...] = ("queued", "sending", "delivered", "dead")
RemoteState = Literal["received", "prereview_passed", "needs_correction", "completed", "rejected", "unknown"]
# What a queued item is: a resident's application, or a 好差评 evaluation of a service (no subject).
ItemKind = Literal["application", "evaluation"]
ITEM_KINDS: tuple[ItemKind, ...] = ("application", "evaluation")
REMOTE_STATES = ("received", "prereview_passed", "needs_correction", "completed", "rejected", "unknown")


@dataclasses.dataclass(frozen=True)
class AttachmentRef:
    """One material's file as the jurisdiction sees it: uploaded (idempotently, by hash) before
    the application that refers to it."""

    material: str
    sha256: str
    size: int
    content_type: str = "application/pdf"


@dataclasses.dataclass(frozen=True)
class AttachmentIn:
    """An attachment handed to Store.submit: the plaintext file at `path` (sealed on submit)."""

    material: str
    path: str
    content_type: str = "application/pdf"


@dataclasses.dataclass(frozen=True)
class Request:
    """What is sent to a jurisdiction: frozen at submit, sealed in the store, resent unchanged
    under the same txid on every attempt."""

    txid: str
    matter: str
    operation: str  # SOAP operation name, or a REST path such as /applications/gjj-withdrawal
    fields: Mapping[str, str]
    attachments: tuple[AttachmentRef, ...] = ()
    status_operation: str | None = None
    # What an interface profile may read besides the mapped fields, frozen at submit: item_code,
    # tracking, submitted_at, kiosk.id, form.*, card.*, delivery.*, material_name.<code>
    # (offline_queue/profile.py). Sealed like the fields: it holds personal data.
    values: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def dumps(self) -> bytes:
        """UTF-8 JSON. orjson, not json: every submit encodes one, and the standard encoder took
        ~18 µs for a 1 KB form where orjson takes ~2 µs (hot loop; about four times both right
        after an fsync). Its output is plain JSON, so items queued by either still load."""
        return orjson.dumps({
            "txid": self.txid, "matter": self.matter, "operation": self.operation,
            "fields": dict(self.fields), "status_operation": self.status_operation,
            "attachments": self.attachments,  # dataclasses: orjson writes them as objects
            "values": dict(self.values),
        }, option=orjson.OPT_SORT_KEYS)

    @classmethod
    def loads(cls, data: bytes) -> "Request":
        d = orjson.loads(data)
        return cls(txid=d["txid"], matter=d["matter"], operation=d["operation"],
                   fields={str(k): str(v) for k, v in d["fields"].items()},
                   attachments=tuple(AttachmentRef(**a) for a in d.get("attachments", ())),
                   status_operation=d.get("status_operation"),
                   values={str(k): str(v) for k, v in (d.get("values") or {}).items()})

    def __repr__(self) -> str:  # fields hold personal data: never in a log line or traceback
        return f"Request({self.txid}, {self.matter}, {self.operation}, {len(self.fields)} fields, {len(self.attachments)} attachments)"


# ---- outcomes of one send -------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Delivered:
    reference: str | None
    duplicate: bool = False  # the jurisdiction had it already (an earlier attempt got through)


@dataclasses.dataclass(frozen=True)
class Retry:
    reason: str
    retry_after: float | None = None  # seconds, from the server (429/503 Retry-After)
    network: bool = False  # the endpoint was not reached at all (counts for the breaker)


@dataclasses.dataclass(frozen=True)
class Dead:
    reason: str


Outcome = Delivered | Retry | Dead


@dataclasses.dataclass(frozen=True)
class RemoteStatus:
    """The jurisdiction's answer to a status query (办理进度)."""

    state: RemoteState
    reason: str | None = None  # what needs correction, or why rejected
    reference: str | None = None


@dataclasses.dataclass(frozen=True)
class ItemInfo:
    """An item's metadata: what a technician or a progress query may see. No personal data."""

    txid: str
    matter: str
    jurisdiction: str
    tracking: str
    state: State
    attempts: int
    next_attempt_at: float
    lease_until: float | None
    last_error: str | None
    remote_reference: str | None
    remote_state: str | None
    remote_reason: str | None
    created_at: float
    updated_at: float
    delivered_at: float | None
    purged_at: float | None
    attachments: tuple[AttachmentRef, ...]
    failures: int = 0  # the remote's transient failures: what the backoff grows on (attempts counts every send)
    kind: ItemKind = "application"

    def to_json(self) -> dict:
        d = dataclasses.asdict(self)
        d["attachments"] = [dataclasses.asdict(a) for a in self.attachments]
        return d


# ---- errors ---------------------------------------------------------------------------------
class OutboxError(Exception):
    """An expected outbox failure; str() is the technician's reason."""


class KeyFileError(OutboxError):
    """The key file is missing, unreadable, the wrong size or readable by others."""


class WrongKeyError(OutboxError):
    """The key does not open this store (a different kiosk's key, or a replaced key file)."""


class StoreFullError(OutboxError):
    """The disk is full: nothing was queued, nothing already queued was lost."""


class CorruptStoreError(OutboxError):
    """The database file is damaged; it is left in place for a technician."""


class UnavailableError(OutboxError):
    """The jurisdiction cannot be reached now (a query matter needs the network)."""
