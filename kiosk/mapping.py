"""How a matter's mapping reads a transaction (or a query's inputs): remote field → value, from
form.<key>, card.<Identity attribute>, delivery.<attr>, kiosk.id, const:<value>. Pure."""
from __future__ import annotations

import dataclasses
import datetime as _dt
from typing import Any, Mapping

from kiosk.identity import Identity
from kiosk.transaction import Delivery, Transaction


@dataclasses.dataclass(frozen=True)
class MappingInputs:
    """What a mapping reads when there is no transaction yet (a query matter). A Transaction
    has the same four attributes and is resolved the same way."""

    identity: Identity
    form: Mapping[str, str]
    delivery: Delivery = Delivery()
    kiosk_id: str = ""


def resolve_source(src: str, tx: Transaction | MappingInputs) -> str:
    """One mapping source against a transaction: form.<key> (missing: empty, an optional field),
    card.<Identity attribute>, delivery.<method|address|recipient_phone>, kiosk.id, const:<value>.
    A source of any other shape is a catalog mistake: ValueError."""
    if src.startswith("const:"):
        return src[6:]
    kind, _, name = src.partition(".")
    v: Any
    if kind == "form" and name:
        v = tx.form.get(name, "")
    elif kind == "card" and name:
        if name == "photo" or not hasattr(tx.identity, name) or name.startswith("_"):
            raise ValueError(f"mapping source {src!r}: the card has no {name!r}")
        v = getattr(tx.identity, name)
    elif kind == "delivery" and name in ("method", "address", "recipient_phone"):
        v = getattr(tx.delivery, name)
    elif src == "kiosk.id":
        v = tx.kiosk_id
    else:
        raise ValueError(f"mapping source {src!r}: use form.<key>, card.<attr>, delivery.<attr>, kiosk.id or const:<value>")
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (_dt.date, _dt.datetime)):
        return v.isoformat()
    return str(v)


def resolve_fields(fields: Mapping[str, str], tx: Transaction | MappingInputs) -> dict[str, str]:
    """The remote field → value dict a matter's mapping gives for this transaction."""
    return {remote: resolve_source(src, tx) for remote, src in fields.items()}
