"""The social security card's APDUs and their answers as pure functions: command bytes, status
words, TLV records, BCD dates and the record that a read yields. No I/O here."""
from __future__ import annotations

import dataclasses
import datetime as _dt

# "sx1.sh." followed by 社会保障 in GBK: the SSSE application.
SSSE_AID = bytes.fromhex("7378312E73682EC9E7BBE1B1A3D5CF")
BANK_AID = bytes.fromhex("A000000333010101")  # the bank application on the same card: not ours
EF05 = b"\xef\x05"
EF06 = b"\xef\x06"
# The card identification code (EF05 record 01): 16 bytes of binary data, shown as 32 hex digits.
# Its first three bytes are the issuing region in BCD (11 01 12 -> 110112), followed by the RID of
# the Ministry's application provider.
CARD_ID_LEN = 16
CARD_ID_RID = bytes.fromhex("D156000005")

SW_OK = 0x9000
SW_SECURITY = 0x6982  # security status not satisfied: a PIN is needed
SW_FILE_NOT_FOUND = 0x6A82
SW_RECORD_NOT_FOUND = 0x6A83
SW_INS_NOT_SUPPORTED = 0x6D00


class CardDataError(Exception):
    """Answer bytes that are not what the card format says (bad TLV, bad BCD, wrong tag)."""


def select_aid(aid: bytes = SSSE_AID) -> bytes:
    return bytes([0x00, 0xA4, 0x04, 0x00, len(aid)]) + aid


def select_file(fid: bytes) -> bytes:
    return bytes([0x00, 0xA4, 0x02, 0x00, len(fid)]) + fid


def read_record(record: int, le: int = 0, p2: int = 0x04) -> bytes:
    """READ RECORD of the selected file (P2 04); Le 0 asks for what the record has."""
    return bytes([0x00, 0xB2, record, p2, le])


def get_response(le: int) -> bytes:
    return bytes([0x00, 0xC0, 0x00, 0x00, le])


def split_sw(answer: bytes) -> tuple[bytes, int]:
    """(data, SW1SW2 as an int); CardDataError when shorter than a status word."""
    if len(answer) < 2:
        raise CardDataError(f"answer of {len(answer)} bytes has no status word")
    return bytes(answer[:-2]), (answer[-2] << 8) | answer[-1]


def pin_needed(sw: int) -> bool:
    return sw == SW_SECURITY or (sw & 0xFFF0) == 0x63C0


def parse_tlv(data: bytes) -> dict[int, bytes]:
    """One-byte tag, one-byte length TLVs, back to back; trailing FF / 00 padding is allowed."""
    out: dict[int, bytes] = {}
    i = 0
    while i < len(data):
        tag = data[i]
        if tag in (0x00, 0xFF) and all(b == tag for b in data[i:]):
            break
        if i + 2 > len(data):
            raise CardDataError(f"TLV tag {tag:02X} at {i} has no length byte")
        n = data[i + 1]
        if i + 2 + n > len(data):
            raise CardDataError(f"TLV tag {tag:02X} says {n} bytes, only {len(data) - i - 2} follow")
        out[tag] = bytes(data[i + 2:i + 2 + n])
        i += 2 + n
    return out


def tlv(tag: int, value: bytes) -> bytes:
    if len(value) > 255:
        raise ValueError("TLV value too long")
    return bytes([tag, len(value)]) + value


def decode_bcd(b: bytes) -> str:
    """Packed BCD to digits; CardDataError on a nibble above 9."""
    out = []
    for x in b:
        hi, lo = x >> 4, x & 0x0F
        if hi > 9 or lo > 9:
            raise CardDataError(f"BCD byte {x:02X} is not two decimal digits")
        out.append(f"{hi}{lo}")
    return "".join(out)


def encode_bcd(digits: str) -> bytes:
    if len(digits) % 2 or not digits.isdigit():
        raise ValueError("BCD needs an even number of digits")
    return bytes(int(digits[i]) << 4 | int(digits[i + 1]) for i in range(0, len(digits), 2))


def bcd_date(b: bytes) -> _dt.date | None:
    """YYYYMMDD in 4 BCD bytes; None for an all-zero or blank (FF) date."""
    if not b or all(x in (0x00, 0xFF) for x in b):
        return None
    s = decode_bcd(b)
    if len(s) != 8:
        raise CardDataError(f"BCD date has {len(s)} digits, expected 8")
    try:
        return _dt.date(int(s[:4]), int(s[4:6]), int(s[6:]))
    except ValueError:
        raise CardDataError(f"BCD date {s} is not a calendar date") from None


def _text(b: bytes, encoding: str = "ascii") -> str:
    try:
        return b.decode(encoding).replace("\x00", " ").strip().rstrip("\xff")
    except UnicodeDecodeError:
        raise CardDataError(f"{len(b)} bytes are not {encoding} text") from None


def name_text(b: bytes) -> str:
    return _text(b.rstrip(b"\xff\x00 "), "gbk")


def code_digits(b: bytes) -> str:
    """A small code stored either as ASCII digits ('1', '01') or as one binary byte (0x01)."""
    if b and all(0x30 <= x <= 0x39 for x in b):
        return b.decode("ascii")
    if len(b) == 1:
        return f"{b[0]:d}"
    raise CardDataError(f"code of {len(b)} bytes is neither ASCII digits nor one byte")


@dataclasses.dataclass(frozen=True)
class SsCardRecord:
    """What the kiosk reads from a social security card (EF05 and EF06)."""

    card_number: str
    ss_number: str
    name: str
    sex_code: str = ""
    ethnicity_code: str = ""
    birth_date: _dt.date | None = None
    card_id: str = ""  # card identification code, as 32 hex digits
    region_code: str = ""  # the issuing region: the card id's first three bytes in BCD
    version: str = ""
    issued: _dt.date | None = None
    expires: _dt.date | None = None

    def __repr__(self) -> str:  # never a full name or number in a log line
        n = self.ss_number
        return f"SsCardRecord({self.name[:1]}*, {n[:6]}{'*' * max(0, len(n) - 10)}{n[-4:]})"

    __str__ = __repr__


# (file, record, tag, field) the reader reads, in order.
RECORDS = (
    (EF05, 0x01, 0x01, "card_id"),
    (EF05, 0x03, 0x03, "version"),
    (EF05, 0x05, 0x05, "issued"),
    (EF05, 0x06, 0x06, "expires"),
    (EF05, 0x07, 0x07, "card_number"),
    (EF06, 0x01, 0x08, "ss_number"),
    (EF06, 0x02, 0x09, "name"),
    (EF06, 0x04, 0x0A, "sex"),
    (EF06, 0x05, 0x0B, "ethnicity"),
    (EF06, 0x07, 0x0D, "birth_date"),
)
SEX_RECORD_GEN1 = 0x03  # first-generation cards keep sex in EF06 record 03


def field_value(tag: int, record_data: bytes) -> bytes:
    """The value of `tag` in one record's TLV; CardDataError when the record holds another tag."""
    tlvs = parse_tlv(record_data)
    if tag not in tlvs:
        raise CardDataError(f"record has tags {' '.join(f'{t:02X}' for t in tlvs) or 'none'}, not {tag:02X}")
    return tlvs[tag]


def card_identification(raw: bytes) -> tuple[str, str]:
    """(the card identification code as upper-case hex, the issuing region or "").

    The region is read only where the layout is certain: three BCD bytes followed by the RID.
    A code laid out otherwise still shows as hex, with no region (never a guess)."""
    raw = raw.rstrip(b"\xff") if len(raw) > CARD_ID_LEN else raw
    if not raw:
        return "", ""
    region = ""
    if raw[3:8] == CARD_ID_RID:
        try:
            region = decode_bcd(raw[:3])
        except CardDataError:
            region = ""
    return raw.hex().upper(), region


def build_record(values: dict[str, bytes]) -> SsCardRecord:
    """The card record from the raw field values read (keys: the field names of RECORDS)."""
    for k in ("card_number", "ss_number", "name"):
        if not values.get(k):
            raise CardDataError(f"{k} is missing or blank")
    card_id, region = card_identification(values.get("card_id", b""))
    return SsCardRecord(
        card_number=_text(values["card_number"]),
        ss_number=_text(values["ss_number"]).upper(),
        name=name_text(values["name"]),
        sex_code=code_digits(values["sex"]) if values.get("sex") else "",
        ethnicity_code=code_digits(values["ethnicity"]).zfill(2) if values.get("ethnicity") else "",
        birth_date=bcd_date(values.get("birth_date", b"")),
        card_id=card_id,
        region_code=region,
        version=_text(values.get("version", b"")),
        issued=bcd_date(values.get("issued", b"")),
        expires=bcd_date(values.get("expires", b"")),
    )
