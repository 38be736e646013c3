"""Reading one social security card, given a way to exchange APDUs: select SSSE, read EF05 and
EF06 record by record, decode. Pure logic over a `transmit(apdu) -> answer` callable, so the unit
tests drive it with the virtual card's own state machine and the reader drives it with pyscard."""
from __future__ import annotations

from typing import Callable

from drivers.sscard import apdu
from drivers.sscard.apdu import CardDataError, SsCardRecord

Transmit = Callable[[bytes], bytes]
MAX_CHAINED = 4  # 61xx / 6Cxx round trips per command before we call the card confused


class PinNeeded(Exception):
    """The card wants a PIN before it shows the holder's data (63Cx / 6982)."""


class NotSsCard(Exception):
    """The card has no SSSE application (a bank card, a transit card ...)."""


def exchange(transmit: Transmit, command: bytes) -> tuple[bytes, int]:
    """Send one APDU, following 61xx (GET RESPONSE) and 6Cxx (wrong Le: resend) answers."""
    data = b""
    for _ in range(MAX_CHAINED):
        body, sw = apdu.split_sw(transmit(command))
        data += body
        if sw >> 8 == 0x61:
            command = apdu.get_response(sw & 0xFF)
            continue
        if sw >> 8 == 0x6C and command[1] != 0xC0:
            command = command[:4] + bytes([sw & 0xFF])
            continue
        return data, sw
    raise CardDataError(f"card kept answering {sw:04X} to {command[:2].hex(' ').upper()}")


def read_card(transmit: Transmit) -> SsCardRecord:
    """Raises NotSsCard, PinNeeded, CardDataError; transmit's own errors (card gone) pass through."""
    _, sw = exchange(transmit, apdu.select_aid())
    if sw != apdu.SW_OK:
        raise NotSsCard(f"SELECT SSSE answered {sw:04X}")
    values: dict[str, bytes] = {}
    current = None
    for fid, rec, tag, field in apdu.RECORDS:
        if fid != current:
            _, sw = exchange(transmit, apdu.select_file(fid))
            if apdu.pin_needed(sw):
                raise PinNeeded(f"SELECT {fid.hex().upper()} answered {sw:04X}")
            if sw != apdu.SW_OK:
                raise CardDataError(f"SELECT {fid.hex().upper()} answered {sw:04X}")
            current = fid
        data, sw = exchange(transmit, apdu.read_record(rec))
        if sw == apdu.SW_RECORD_NOT_FOUND and field == "sex":
            data, sw = exchange(transmit, apdu.read_record(apdu.SEX_RECORD_GEN1))
        if apdu.pin_needed(sw):
            raise PinNeeded(f"READ RECORD {fid.hex().upper()}/{rec:02X} answered {sw:04X}")
        if sw == apdu.SW_RECORD_NOT_FOUND and field not in ("card_number", "ss_number", "name"):
            continue  # optional on some generations
        if sw != apdu.SW_OK:
            raise CardDataError(f"READ RECORD {fid.hex().upper()}/{rec:02X} answered {sw:04X}")
        values[field] = apdu.field_value(tag, data)
    return apdu.build_record(values)
