"""What the kiosk accepts as an application (接件): the checks each step of the resident's journey
makes, in one Kivy-free place, so the screens (through KioskActions) and `kiosk-admin submit` refuse
exactly the same things:

- the card: usable today (Identity.problems: expired, invalid number, ...) and of a type the
  matter accepts (`Matter.accepts`), as the identify and choose steps check;
- the form: fields read from the card are prefilled and stay as read; every field passes its
  catalog rule (required, max_length, choices, pattern: FormField.validate);
- the materials: every required material is attached, and only the matter's materials;
- the delivery: a method the matter offers; mail needs an address and an 11-digit mobile number.
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import re
from typing import Iterable, Mapping

from kiosk.catalog.model import Matter
from kiosk.identity import Identity
from kiosk.transaction import Delivery

PHONE_RE = r"1[3-9]\d{9}"  # a mainland mobile number: what the courier calls
MAIL_ADDRESS_MIN = 6  # characters: shorter is not an address a courier can find
MAIL_ADDRESS_MAX = 80  # the delivery keyboard's limit

# What a refused card tells the technician (the resident's sentences are kiosk.session.CARD_PROBLEMS).
CARD_PROBLEM_REASONS = {
    "expired": "the card has expired",
    "not_yet_valid": "the card is not valid yet",
    "invalid_number": "the ID number fails its check (GB 11643)",
    "birth_mismatch": "the birth date does not match the ID number",
    "sex_mismatch": "the sex does not match the ID number",
    "card_not_accepted": "this matter does not accept this kind of card",
}


def card_problem(matter: Matter, identity: Identity, today: _dt.date) -> str | None:
    """The first reason the kiosk would not take this card for this matter, as a problem code
    (CARD_PROBLEM_REASONS), or None."""
    problems = identity.problems(today)
    if problems:
        return problems[0]
    if identity.card_type not in matter.accepts:
        return "card_not_accepted"
    return None


def prefill(matter: Matter, identity: Identity | None) -> dict[str, str]:
    """The form values the card gives (fields whose source is card.<attr>)."""
    out: dict[str, str] = {}
    for f in matter.fields:
        attr = f.card_attr
        if attr and identity is not None:
            v = getattr(identity, attr, None)
            out[f.key] = v.isoformat() if isinstance(v, _dt.date) else ("" if v is None else str(v))
    return out


def card_locked(matter: Matter, values: Mapping[str, str]) -> set[str]:
    """Fields shown as read from the card, not editable: a card field the card did fill. One the
    card left empty (a social security card holds no address) is the resident's to type."""
    return {f.key for f in matter.fields if f.card_attr and values.get(f.key)}


def form_errors(matter: Matter, values: Mapping[str, str], lang: str = "zh") -> dict[str, str]:
    """Field key → the short reason the form shows beside it, in `lang` (zh | en)."""
    errs = {}
    for f in matter.fields:
        e = f.validate(values.get(f.key), lang)
        if e:
            errs[f.key] = e
    return errs


def missing_materials(matter: Matter, attached: Iterable[str]) -> list[str]:
    """Codes of the required materials not attached."""
    have = set(attached)
    return [m.code for m in matter.materials if m.required and m.code not in have]


def default_delivery(matter: Matter, identity: Identity | None, form: Mapping[str, str],
                     method: str | None = None) -> Delivery:
    """What the delivery step starts from: pickup when offered; mail to the card's address and the
    mobile number typed in the form."""
    method = method or ("pickup" if "pickup" in matter.delivery else "mail")
    if method != "mail":
        return Delivery(method)
    address = ((identity.address if identity is not None else "") or "").strip()
    phone = next((v for k, v in (form or {}).items() if "phone" in k or "mobile" in k), "")
    return Delivery("mail", address, phone)


def delivery_problem(matter: Matter, delivery: Delivery) -> str | None:
    """None, or which part is wrong: "method" (not offered), "address" or "phone" (mail). A matter
    with no delivery step (electronic results only) is sent with the default Delivery(), as the
    kiosk does."""
    from kiosk.session import journey_steps

    if delivery == Delivery() and "delivery" not in journey_steps(matter):
        return None
    if delivery.method not in matter.delivery or delivery.method not in ("pickup", "mail", "electronic"):
        return "method"
    if delivery.method == "mail":
        if not MAIL_ADDRESS_MIN <= len((delivery.address or "").strip()) <= MAIL_ADDRESS_MAX:
            return "address"
        if not re.fullmatch(PHONE_RE, delivery.recipient_phone or ""):
            return "phone"
    return None


@dataclasses.dataclass(frozen=True)
class Refusal:
    """Why an application is refused: `what` names the part, `reason` says what to do."""

    what: str
    reason: str

    def __str__(self) -> str:
        return f"{self.what}: {self.reason}"


def check_application(matter: Matter, identity: Identity, typed: Mapping[str, str], attached: Iterable[str],
                      delivery: Delivery, today: _dt.date) -> tuple[dict[str, str], list[Refusal]]:
    """Every check of the journey at once, for an application assembled outside the screens.
    Returns (the form as the kiosk would seal it, the refusals); queue only when there are none.
    `typed`: the values typed (or given on the command line); `attached`: material codes."""
    out: list[Refusal] = []
    if matter.kind != "application":
        out.append(Refusal("matter", f"{matter.code} is a {matter.kind} matter: it is asked, never queued"))
    card = card_problem(matter, identity, today)
    if card:
        extra = f" (accepted: {', '.join(matter.accepts)})" if card == "card_not_accepted" else ""
        out.append(Refusal("card", f"{CARD_PROBLEM_REASONS[card]}{extra}"))
    values = prefill(matter, identity)
    locked = card_locked(matter, values)
    known = {f.key for f in matter.fields}
    for k, v in typed.items():
        if k not in known:
            out.append(Refusal(f"field {k}", f"{matter.code} has no such field (fields: {', '.join(sorted(known)) or 'none'})"))
        elif k in locked and v != values[k]:
            out.append(Refusal(f"field {k}", "is read from the card and cannot be changed"))
        else:
            values[k] = v
    values = {k: v for k, v in values.items() if k in known}
    for k, why in form_errors(matter, values).items():
        f = next(f for f in matter.fields if f.key == k)
        out.append(Refusal(f"field {k}", f"{why} ({f.label_en or f.label})"))
    attached = list(attached)
    codes = {m.code for m in matter.materials}
    for a in sorted(set(attached)):
        if a not in codes:
            out.append(Refusal(f"material {a}", f"{matter.code} has no such material (materials: {', '.join(sorted(codes)) or 'none'})"))
        elif attached.count(a) > 1:
            out.append(Refusal(f"material {a}", "attached more than once (one PDF per material)"))
    missing = missing_materials(matter, attached)
    if missing:
        out.append(Refusal("materials", "required but not attached: " + ", ".join(
            f"{m.code} ({m.name})" for m in matter.materials if m.code in missing)))
    d = delivery_problem(matter, delivery)
    if d == "method":
        out.append(Refusal("delivery", f"{delivery.method} is not offered for {matter.code} (offered: {', '.join(matter.delivery)})"))
    elif d == "address":
        out.append(Refusal("delivery", f"mail needs an address of {MAIL_ADDRESS_MIN}–{MAIL_ADDRESS_MAX} characters (the card's, or typed)"))
    elif d == "phone":
        out.append(Refusal("delivery", "mail needs an 11-digit mobile number (a phone field of the form)"))
    return values, out
