"""The twin's ESC/POS reader, sans-I/O: the same commands whatever way the bytes are split."""
from drivers.printer.encoder import encode
from drivers.printer.layout import layout
from drivers.printer.profiles import profile_for
from drivers.printer.twin.interpreter import Interpreter
from tests.support.printer import sample_receipt


def _all_at_once(data):
    return Interpreter().feed(data)


def test_a_receipt_parses_the_same_split_at_every_boundary():
    data = encode(layout(sample_receipt(), profile_for(58)), profile_for(58))
    whole = _all_at_once(data)

    def merged(cmds):  # a text run may arrive in pieces; join adjacent text
        out = []
        for c in cmds:
            if out and c.name == "text" and out[-1][0] == "text":
                out[-1] = ("text", (), out[-1][2] + c.data)
            else:
                out.append((c.name, c.args, c.data))
        return out

    expected = merged(whole)
    for i in range(1, len(data)):
        interp = Interpreter()
        assert merged(interp.feed(data[:i]) + interp.feed(data[i:])) == expected, i


def test_byte_by_byte_raster_and_status_queries():
    data = encode(layout(sample_receipt(), profile_for(58, has_chinese_font=False, native_qr=False)),
                  profile_for(58, has_chinese_font=False, native_qr=False)) + b"\x10\x04\x01"
    interp = Interpreter()
    cmds = []
    for b in data:
        cmds += interp.feed(bytes((b,)))
    assert [c.name for c in cmds][-2:] == ["cut", "status"]
    assert sum(c.name == "raster" for c in cmds) > 10


def test_unknown_commands_are_skipped_not_printed():
    cmds = Interpreter().feed(b"\x1bt\x10\x1b2" + b"ok\n")
    assert [c.name for c in cmds] == ["ignored", "ignored", "text", "lf"]
