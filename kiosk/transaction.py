"""What a resident submits (接件受理): frozen at capture; its id is the idempotency key for ever."""
from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import uuid
from typing import Mapping

from kiosk.identity import Identity

PAYLOAD_SCHEMA_VERSION = 1


@dataclasses.dataclass(frozen=True)
class Attachment:
    """One scanned material: one PDF. `path` is where the PDF lies until the outbox seals it."""

    material: str  # the material's code in the matter
    path: str
    pages: int
    sha256: str
    size: int


@dataclasses.dataclass(frozen=True)
class Delivery:
    """How the result reaches the resident (材料寄递): pick up at a hall, or mail to an address."""

    method: str = "pickup"  # pickup | mail
    address: str | None = None
    recipient_phone: str | None = None


@dataclasses.dataclass(frozen=True)
class Transaction:
    id: str
    matter_code: str
    jurisdiction: str
    identity: Identity
    form: Mapping[str, str]
    attachments: tuple[Attachment, ...] = ()
    delivery: Delivery = Delivery()
    kiosk_id: str = ""
    created_at: _dt.datetime = dataclasses.field(default_factory=lambda: _dt.datetime.now().astimezone())
    schema_version: int = PAYLOAD_SCHEMA_VERSION
    corrects: str | None = None  # 补正: the id of the transaction this one corrects (the remote links them)

    @staticmethod
    def new_id() -> str:
        return str(uuid.uuid4())

    @property
    def tracking_number(self) -> str:
        """The short number printed on the receipt and typed at a progress query."""
        return tracking_number(self.id, self.created_at)

    def __repr__(self) -> str:
        return f"Transaction({self.id}, {self.matter_code}@{self.jurisdiction}, {self.identity!r})"

    def to_json(self) -> dict:
        return {
            "id": self.id, "matter_code": self.matter_code, "jurisdiction": self.jurisdiction,
            "identity": self.identity.to_json() | {"photo": None},
            "form": dict(self.form),
            "attachments": [dataclasses.asdict(a) for a in self.attachments],
            "delivery": dataclasses.asdict(self.delivery),
            "kiosk_id": self.kiosk_id,
            "created_at": self.created_at.isoformat(),
            "schema_version": self.schema_version,
        } | ({"corrects": self.corrects} if self.corrects else {})

    def dumps(self) -> bytes:
        return json.dumps(self.to_json(), ensure_ascii=False, sort_keys=True).encode("utf-8")

    @classmethod
    def from_json(cls, d: dict) -> "Transaction":
        if d.get("schema_version") != PAYLOAD_SCHEMA_VERSION:
            raise ValueError(f"unsupported payload schema version {d.get('schema_version')!r}")
        ident = dict(d["identity"])
        ident.pop("photo", None)
        return cls(
            id=d["id"], matter_code=d["matter_code"], jurisdiction=d["jurisdiction"],
            identity=Identity.from_json(ident), form=dict(d["form"]),
            attachments=tuple(Attachment(**a) for a in d.get("attachments", ())),
            delivery=Delivery(**d.get("delivery", {})), kiosk_id=d.get("kiosk_id", ""),
            created_at=_dt.datetime.fromisoformat(d["created_at"]),
            schema_version=d["schema_version"], corrects=d.get("corrects"),
        )

    @classmethod
    def loads(cls, data: bytes) -> "Transaction":
        return cls.from_json(json.loads(data.decode("utf-8")))


def tracking_number(txid: str, created_at: _dt.datetime) -> str:
    """YYMMDD + the first 8 hex digits of the id, upper case: short enough to type, unique
    enough per day for one region (2^32 per day)."""
    return created_at.strftime("%y%m%d") + txid.replace("-", "")[:8].upper()
