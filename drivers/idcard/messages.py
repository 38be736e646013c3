"""The data part of each response the reader uses: find, select, SAM id and the card reads,
checked for exact length (a truncated frame that slips past the checksum still fails here)."""
from __future__ import annotations

from drivers.idcard import status
from drivers.idcard.frame import ProtocolError, Response
from drivers.idcard.layouts import TEXT_LEN, decode_text
from drivers.idcard.record import IdCardRecord

PHOTO_LEN = 1024
FINGERPRINT_LEN = 1024
FIND_DATA = 4
SELECT_DATA = 8
SAM_ID_DATA = 16


def read_data(text: bytes, photo: bytes, fingerprint: bytes | None = None) -> bytes:
    """The data of a 30 01 (or, with a fingerprint, 30 10) answer."""
    lens = [len(text), len(photo)] + ([len(fingerprint)] if fingerprint is not None else [])
    return b"".join(n.to_bytes(2, "big") for n in lens) + text + photo + (fingerprint or b"")


def parse_read(resp: Response, *, with_fingerprint: bool = False) -> IdCardRecord:
    """Decode an OK answer to 30 01 / 30 10 into a record; ProtocolError on any wrong length."""
    if resp.sw3 != status.OK:
        raise ProtocolError(f"read answered {status.describe(resp.sw3)}")
    d = resp.data
    nlen = 6 if with_fingerprint else 4
    if len(d) < nlen:
        raise ProtocolError(f"read answer has {len(d)} data bytes, too short for its lengths")
    lens = [int.from_bytes(d[i:i + 2], "big") for i in range(0, nlen, 2)]
    if lens[0] != TEXT_LEN:
        raise ProtocolError(f"text length {lens[0]}, expected {TEXT_LEN}")
    if len(d) != nlen + sum(lens):
        raise ProtocolError(f"read answer has {len(d)} data bytes, its lengths say {nlen + sum(lens)}")
    text = d[nlen:nlen + TEXT_LEN]
    photo = d[nlen + TEXT_LEN:nlen + TEXT_LEN + lens[1]]
    fp = d[nlen + TEXT_LEN + lens[1]:] if with_fingerprint else None
    return decode_text(text, photo=photo, fingerprint=fp)


def fits(cmd: tuple[int, int], resp: Response) -> bool:
    """Could `resp` be the answer to `cmd`? Answers carry no command tag, so a late answer to an
    earlier command (after a timeout) must be told apart by its shape and dropped."""
    n = len(resp.data)
    if cmd == status.FIND_CARD:
        return (resp.sw3 == status.CARD_FOUND and n == FIND_DATA) or (resp.sw3 not in (status.OK, status.CARD_FOUND) and n == 0)
    if cmd == status.SELECT_CARD:
        return (resp.sw3 == status.OK and n == SELECT_DATA) or (resp.sw3 != status.OK and n == 0)
    if cmd == status.READ_SAM_ID:
        return (resp.sw3 == status.OK and n == SAM_ID_DATA) or (resp.sw3 != status.OK and n == 0)
    if cmd in (status.READ_TEXT_PHOTO, status.READ_TEXT_PHOTO_FP):
        return (resp.sw3 == status.OK and n >= 4) or (resp.sw3 != status.OK and n == 0)
    return n == 0  # SAM status, reset
