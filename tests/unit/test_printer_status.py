"""The sans-I/O status decoder: DLE EOT 1, 2, 4 (and 3) bytes → a closed set of statuses."""
import pytest

from drivers.printer.status import CODES, PrinterStatus, StatusReader, decode, is_status_byte
from drivers.printer.twin.server import status_bytes

ALL = [PrinterStatus(c) for c in CODES if c != "error"] + [
    PrinterStatus("error", k) for k in ("recoverable", "autocutter", "unrecoverable", "auto_recoverable")]


def _run(answers: dict[int, int] | None, chunks=None) -> tuple[PrinterStatus, list[bytes]]:
    """Drive a StatusReader as the I/O shell does; `chunks` splits the answer bytes."""
    reader, sent = StatusReader(), []
    while (q := reader.next_query()) is not None:
        sent.append(q)
        if answers is None:
            reader.timed_out()
            break
        reader.receive_data(bytes((answers[q[2]],)))
    return reader.status(), sent


@pytest.mark.parametrize("status", ALL, ids=str)
def test_every_status_round_trips_through_the_bytes_a_printer_sends(status):
    got, sent = _run(status_bytes(status))
    assert got == status
    if status.code == "error":
        assert sent[-1] == b"\x10\x04\x03"  # the error cause is asked only when there is an error
    elif status.code != "no_answer":
        assert sent == [b"\x10\x04\x01", b"\x10\x04\x02", b"\x10\x04\x04"]


def test_reference_paper_bytes():
    ok = {1: 0x12, 2: 0x12}
    assert decode({**ok, 4: 0x12}).code == "ready"
    assert decode({**ok, 4: 0x1E}).code == "paper_near_end"
    assert decode({**ok, 4: 0x7E}).code == "paper_out"


def test_priority_cover_open_beats_paper_out_beats_offline():
    assert decode({1: 0x1A, 2: 0x36, 4: 0x7E}).code == "cover_open"
    assert decode({1: 0x1A, 2: 0x32, 4: 0x12}).code == "paper_out"
    assert decode({1: 0x1A, 2: 0x12, 4: 0x1E}).code == "offline"


def test_a_missing_answer_is_no_answer():
    assert decode({1: 0x12, 2: 0x12}).code == "no_answer"
    assert _run(None)[0].code == "no_answer"


def test_status_byte_pattern():
    assert is_status_byte(0x12) and is_status_byte(0x7E) and is_status_byte(0x1A)
    assert not is_status_byte(0x00) and not is_status_byte(0xFF) and not is_status_byte(0x13)


@pytest.mark.parametrize("split", range(0, 7))
def test_answers_pipelined_and_split_at_every_boundary_with_noise(split):
    # the shell may send 1, 2 and 4 at once; noise (an ASB byte 0x00, a stray 0xFF) is skipped
    reader = StatusReader()
    queries = [reader.all_queries()]
    stream = bytes([0x00, 0x12, 0xFF, 0x32, 0x7E])
    reader.receive_data(stream[:split])
    reader.receive_data(stream[split:])
    assert queries == [b"\x10\x04\x01\x10\x04\x02\x10\x04\x04"]
    assert reader.skipped == 2
    assert reader.status().code == "paper_out"


def test_a_byte_before_any_query_is_noise():
    reader = StatusReader()
    reader.receive_data(b"\x12")
    assert reader.skipped == 1 and reader.answers == {}


@pytest.mark.parametrize("text,expected", [("paper_out", PrinterStatus("paper_out")),
                                           ("error(autocutter)", PrinterStatus("error", "autocutter")),
                                           ("error:unrecoverable", PrinterStatus("error", "unrecoverable")),
                                           ("error", PrinterStatus("error", "unknown"))])
def test_parse(text, expected):
    assert PrinterStatus.parse(text) == expected
    assert PrinterStatus.parse(str(expected)) == expected


def test_parse_refuses_what_is_not_in_the_set():
    with pytest.raises(ValueError):
        PrinterStatus.parse("on_fire")
    with pytest.raises(ValueError):
        PrinterStatus.parse("error(melted)")


def test_near_end_is_printable_paper_out_is_not():
    assert PrinterStatus("paper_near_end").printable and not PrinterStatus("paper_out").printable
