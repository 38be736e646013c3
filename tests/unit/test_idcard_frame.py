"""The GA 467 frame codec: known frames, bytes split at every boundary, garbage, resync, fuzz."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drivers.idcard import status
from drivers.idcard.cards import list_cards, load_card
from drivers.idcard.frame import (NEED_DATA, PREAMBLE, Frame, FrameDecoder, ProtocolError, checksum,
                                  encode_command, encode_frame, encode_response, parse_command,
                                  parse_response)
from drivers.idcard.layouts import encode_text
from drivers.idcard.messages import parse_read, read_data

# The frames the open implementations of GA 467 list: every checksum computed, these must come out.
KNOWN = {
    status.RESET_SAM: "AA AA AA 96 69 00 03 10 FF EC",
    status.SAM_STATUS: "AA AA AA 96 69 00 03 11 FF ED",
    status.READ_SAM_ID: "AA AA AA 96 69 00 03 12 FF EE",
    status.FIND_CARD: "AA AA AA 96 69 00 03 20 01 22",
    status.SELECT_CARD: "AA AA AA 96 69 00 03 20 02 21",
    status.READ_TEXT_PHOTO: "AA AA AA 96 69 00 03 30 01 32",
    status.READ_NEW_ADDRESS: "AA AA AA 96 69 00 03 30 03 30",
    status.READ_TEXT_PHOTO_FP: "AA AA AA 96 69 00 03 30 10 23",
}


def drain(dec: FrameDecoder) -> list:
    """Every event the decoder has, with ProtocolErrors as values."""
    out = []
    while True:
        try:
            ev = dec.next_event()
        except ProtocolError as e:
            out.append(e)
            continue
        if ev is NEED_DATA:
            return out
        out.append(ev)


def card_frame(name: str = "resident-1") -> bytes:
    rec = load_card(name)
    return encode_response(status.OK, read_data(encode_text(rec), rec.photo))


@pytest.mark.parametrize("cmd", list(KNOWN))
def test_known_command_frames(cmd):
    assert encode_command(*cmd) == bytes.fromhex(KNOWN[cmd])


def test_read_answer_is_1295_bytes_with_len_0508():
    f = card_frame()
    assert len(f) == 1295 and f[5:7] == b"\x05\x08"


def test_checksum_covers_length_and_body():
    assert checksum(b"\x00\x03\x20\x01") == 0x22


def test_each_split_of_two_frames_gives_the_same_frames():
    a, b = encode_response(status.CARD_FOUND, bytes(4)), encode_response(status.OK, bytes(8))
    data = b"\x00\x13garbage" + a + b
    for i in range(len(data) + 1):
        for j in range(i, len(data) + 1, 3):
            dec = FrameDecoder()
            evs = []
            for part in (data[:i], data[i:j], data[j:]):
                dec.receive_data(part)
                evs += drain(dec)
            assert [parse_response(e) for e in evs] == [parse_response(Frame(a[7:-1])), parse_response(Frame(b[7:-1]))]


def test_card_read_split_at_every_byte_boundary():
    f = card_frame("Y-1")
    want = load_card("Y-1")
    for i in range(len(f) + 1):
        dec = FrameDecoder()
        dec.receive_data(f[:i])
        first = drain(dec)
        dec.receive_data(f[i:])
        evs = first + drain(dec)
        assert len(evs) == 1 and parse_read(parse_response(evs[0])) == want


def test_byte_by_byte():
    f = card_frame("J-1")
    dec = FrameDecoder()
    evs = []
    for b in f:
        dec.receive_data(bytes([b]))
        evs += drain(dec)
    assert len(evs) == 1 and parse_read(parse_response(evs[0])).layout == "J"


def test_garbage_before_a_frame_is_skipped_and_counted():
    dec = FrameDecoder()
    dec.receive_data(b"\x00\xaa\xaa\x13\x37" + encode_response(0x80))
    evs = drain(dec)
    assert [parse_response(e).sw3 for e in evs] == [0x80]
    assert dec.discarded == 5


def test_preamble_split_across_reads_is_kept():
    f = encode_response(0x80)
    dec = FrameDecoder()
    dec.receive_data(b"junk" + f[:3])
    assert drain(dec) == []
    dec.receive_data(f[3:])
    assert [parse_response(e).sw3 for e in drain(dec)] == [0x80]


def test_bad_checksum_raises_ours_then_resyncs_on_the_next_frame():
    bad = bytearray(encode_response(status.OK, bytes(8)))
    bad[-1] ^= 0x01
    good = encode_response(status.CARD_FOUND, bytes(4))
    dec = FrameDecoder()
    dec.receive_data(bytes(bad) + good)
    evs = drain(dec)
    assert isinstance(evs[0], ProtocolError) and "checksum" in str(evs[0])
    assert [parse_response(e).sw3 for e in evs[1:]] == [status.CARD_FOUND]


@pytest.mark.parametrize("length", [0, 1, 2, 0x0A01, 0xFFFF])
def test_impossible_length_is_rejected(length):
    dec = FrameDecoder()
    dec.receive_data(PREAMBLE + length.to_bytes(2, "big") + bytes(10) + encode_response(0x80))
    evs = drain(dec)
    assert isinstance(evs[0], ProtocolError) and "length" in str(evs[0])
    assert parse_response(evs[-1]).sw3 == 0x80


def test_response_shape_errors_are_ours():
    with pytest.raises(ProtocolError):
        parse_response(Frame(b"\x00\x00"))
    with pytest.raises(ProtocolError):
        parse_response(Frame(b"\x01\x00\x90"))
    with pytest.raises(ProtocolError):
        parse_command(Frame(b"\x20"))
    with pytest.raises(ValueError):
        encode_frame(b"")


def test_read_answer_lengths_are_checked():
    rec = load_card("resident-1")
    text = encode_text(rec)
    with pytest.raises(ProtocolError):  # photo length says 1024, 1000 follow
        parse_read(parse_response(Frame(b"\x00\x00\x90" + b"\x01\x00\x04\x00" + text + bytes(1000))))
    with pytest.raises(ProtocolError):  # text length not 256
        parse_read(parse_response(Frame(b"\x00\x00\x90" + b"\x00\xff\x04\x00" + text[:255] + bytes(1024))))
    with pytest.raises(ProtocolError):
        parse_read(parse_response(Frame(b"\x00\x00\x41")))


def test_fingerprint_read_round_trip():
    rec = load_card("resident-2")
    f = encode_response(status.OK, read_data(encode_text(rec), rec.photo, rec.fingerprint))
    assert len(f) == 2321
    dec = FrameDecoder()
    dec.receive_data(f)
    got = parse_read(parse_response(dec.next_event()), with_fingerprint=True)
    assert got == rec and got.fingerprint == rec.fingerprint and got.photo == rec.photo


# ---- fuzz ---------------------------------------------------------------------------------------
CARD_FRAMES = {n: card_frame(n) for n in list_cards()}
CARDS = {n: load_card(n) for n in list_cards()}
_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _decode_reads(data: bytes, cuts: list[int]) -> list:
    """Feed `data` cut at `cuts`; return decoded records and our errors, raising anything else."""
    dec = FrameDecoder()
    out = []
    prev = 0
    for c in sorted(set(cuts)) + [len(data)]:
        dec.receive_data(data[prev:c])
        prev = c
        for ev in drain(dec):
            if isinstance(ev, ProtocolError):
                out.append(ev)
                continue
            try:
                out.append(parse_read(parse_response(ev)))
            except ProtocolError as e:
                out.append(e)
    return out


@_SETTINGS
@given(st.binary(max_size=3000), st.lists(st.integers(0, 3000), max_size=8))
def test_fuzz_random_bytes_only_raise_our_error(data, cuts):
    for ev in _decode_reads(data, [c % (len(data) + 1) for c in cuts]):
        assert isinstance(ev, ProtocolError)  # random bytes never make a card


@_SETTINGS
@given(st.sampled_from(sorted(CARD_FRAMES)), st.binary(max_size=40), st.lists(st.integers(0, 1400), max_size=10))
def test_fuzz_valid_frame_split_anywhere_after_garbage(name, junk, cuts):
    junk = junk.replace(b"\xaa", b"\x55")  # junk with a stray preamble byte is the next test
    data = junk + CARD_FRAMES[name]
    evs = _decode_reads(data, [c % (len(data) + 1) for c in cuts])
    assert evs == [CARDS[name]]


@_SETTINGS
@given(st.sampled_from(sorted(CARD_FRAMES)), st.integers(0, 1294), st.integers(0, 7), st.lists(st.integers(0, 1400), max_size=6))
def test_fuzz_single_bit_corruption_never_gives_a_wrong_identity(name, pos, bit, cuts):
    data = bytearray(CARD_FRAMES[name])
    data[pos] ^= 1 << bit
    follow = encode_response(0x80)  # the decoder must find this frame after the damage
    data = bytes(data) + follow
    evs = _decode_reads(data, [c % (len(data) + 1) for c in cuts])
    records = [e for e in evs if not isinstance(e, (ProtocolError, type(None)))]
    for r in records:
        assert r == CARDS[name] and r.photo == CARDS[name].photo
    assert records == []  # XOR catches every single-bit error; nothing decodes as this card


@_SETTINGS
@given(st.binary(min_size=1, max_size=200))
def test_fuzz_resync_finds_the_frame_after_any_garbage(junk):
    follow = encode_response(status.CARD_FOUND, bytes(4))
    dec = FrameDecoder()
    dec.receive_data(junk + follow + follow)
    frames = [e for e in drain(dec) if not isinstance(e, ProtocolError)]
    # garbage may swallow at most the first frame (a stray preamble + length inside the junk)
    assert 1 <= len(frames) <= 2
    assert parse_response(frames[-1]) == parse_response(Frame(follow[7:-1]))
