"""Social security card files (drivers/sscard/cards/*.json): what the virtual card holds."""
from __future__ import annotations

import dataclasses
import datetime as _dt
import os

from drivers.cardfiles import CardFileError, CardFolder  # noqa: F401 (CardFileError: part of this API)
from drivers.sscard import apdu

CARDS_DIR = os.path.join(os.path.dirname(__file__), "cards")


@dataclasses.dataclass(frozen=True)
class VirtualCard:
    """A card as the twin serves it: the SSSE records (file, record) -> TLV bytes, or none at all
    for a card that is not a social security card."""

    name: str
    records: dict[tuple[bytes, int], bytes]
    ss_application: bool = True
    pin_required: bool = False
    pin: str = "123456"
    atr: bytes = bytes.fromhex("3B6800000073C84013009000")


FOLDER = CardFolder(CARDS_DIR)
list_cards = FOLDER.names
card_path = FOLDER.path


def load_card(name_or_path: str) -> VirtualCard:
    d, path = FOLDER.read(name_or_path)
    return card_from_dict(d, path)


def _date(d: dict, k: str, where: str) -> bytes:
    v = d.get(k)
    if not v:
        return b"\x00" * 4
    try:
        return apdu.encode_bcd(_dt.date.fromisoformat(v).strftime("%Y%m%d"))
    except (TypeError, ValueError):
        raise CardFileError(f"{where}: {k}: {v!r} is not YYYY-MM-DD") from None


def _card_id(text: str, where: str) -> bytes:
    """The card identification code as the card stores it: 16 bytes, written as 32 hex digits,
    starting with the issuing region in BCD and the RID D156000005."""
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        raw = b""
    if len(raw) != apdu.CARD_ID_LEN:
        raise CardFileError(f"{where}: card_id: {text!r} is not 32 hex digits (16 bytes)")
    if raw[3:8] != apdu.CARD_ID_RID:
        raise CardFileError(f"{where}: card_id: bytes 4-8 must be the RID D156000005, after the region")
    try:
        apdu.decode_bcd(raw[:3])
    except apdu.CardDataError:
        raise CardFileError(f"{where}: card_id: the first 6 digits must be the issuing region (BCD)") from None
    return raw


def card_from_dict(d: dict, where: str = "<card>") -> VirtualCard:
    if not isinstance(d, dict):
        raise CardFileError(f"{where}: a card file is a JSON object")
    name = os.path.basename(where)[:-5] if where.endswith(".json") else where
    kind = d.get("kind", "social_security")
    if kind not in ("social_security", "other"):
        raise CardFileError(f"{where}: kind: {kind!r} is not social_security or other")
    if kind == "other":
        return VirtualCard(name, {}, ss_application=False)
    known = {"comment", "kind", "pin_required", "card_id", "version", "issued", "expires", "card_number",
             "ss_number", "name", "sex", "ethnicity", "birth_date"}
    unknown = set(d) - known
    if unknown:
        raise CardFileError(f"{where}: unknown keys: {', '.join(sorted(unknown))}")
    for k in ("card_number", "ss_number", "name", "card_id"):
        if not isinstance(d.get(k), str) or not d[k]:
            raise CardFileError(f"{where}: {k}: required text")
    card_id = _card_id(d["card_id"], where)
    version = d.get("version", "3.00")
    try:
        name_b = d["name"].encode("gbk").ljust(30, b" ")
    except UnicodeEncodeError:
        raise CardFileError(f"{where}: name: not encodable in GBK") from None
    if len(name_b) > 30:
        raise CardFileError(f"{where}: name: longer than 30 GBK bytes")
    sex_rec = apdu.SEX_RECORD_GEN1 if version.startswith("1.") else 0x04
    E5, E6 = apdu.EF05, apdu.EF06
    recs = {
        (E5, 0x01): apdu.tlv(0x01, card_id),
        (E5, 0x03): apdu.tlv(0x03, version.encode("ascii")),
        (E5, 0x05): apdu.tlv(0x05, _date(d, "issued", where)),
        (E5, 0x06): apdu.tlv(0x06, _date(d, "expires", where)),
        (E5, 0x07): apdu.tlv(0x07, d["card_number"].encode("ascii")),
        (E6, 0x01): apdu.tlv(0x08, d["ss_number"].encode("ascii")),
        (E6, 0x02): apdu.tlv(0x09, name_b),
        (E6, sex_rec): apdu.tlv(0x0A, str(d.get("sex", "1")).encode("ascii")),
        (E6, 0x05): apdu.tlv(0x0B, bytes([int(d.get("ethnicity", "01"))])),
        (E6, 0x07): apdu.tlv(0x0D, _date(d, "birth_date", where)),
    }
    return VirtualCard(name, recs, pin_required=bool(d.get("pin_required", False)))
