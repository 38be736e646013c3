"""Byte-exact ESC/POS encoding: text as GB18030 in Chinese mode, styles, QR, feed, cut, rasters."""
from hypothesis import given, settings, strategies as st

from drivers.printer.encoder import encode, encode_text
from drivers.printer.ops import Cut, Feed, Qr, Text
from drivers.printer.profiles import profile_for
from drivers.printer.twin.interpreter import Interpreter
from drivers.printer.twin.paper import Paper

P80 = profile_for(80)
HEAD = b"\x1b@\x1c&"  # ESC @ init, FS & Chinese mode


def test_chinese_text_is_gb18030_after_init_and_chinese_mode():
    assert encode([Text("受理回执")], P80) == HEAD + b"\xca\xdc\xc0\xed\xbb\xd8\xd6\xb4\n"


def test_punctuation_only_line_is_gb18030_not_a_question_mark():
    assert encode_text("，。：") == b"\xa3\xac\xa1\xa3\xa3\xba"
    assert b"?" not in encode([Text("，。：；！？")], P80)


def test_yen_sign_becomes_the_full_width_gbk_character():
    assert encode_text("¥12.50") == b"\xa3\xa412.50"
    assert encode_text("￥") == b"\xa3\xa4"


def test_control_characters_are_dropped_and_tabs_become_spaces():
    assert encode_text("a\tb\x1b@c\x00") == b"a b@c"


def test_alignment_bold_and_size_are_sent_when_they_change_and_only_then():
    ops = [Text("标题", "center", bold=True, width=2, height=2), Text("正文"), Text("又一行")]
    assert encode(ops, P80) == (HEAD + b"\x1ba\x01\x1bE\x01\x1d!\x11" + "标题".encode("gb18030") + b"\n"
                                + b"\x1ba\x00\x1bE\x00\x1d!\x00" + "正文".encode("gb18030") + b"\n"
                                + "又一行".encode("gb18030") + b"\n")


def test_feed_and_cut():
    assert encode([Feed(4), Cut()], P80) == HEAD + b"\x1bd\x04" + b"\x1dVB\x00"


def test_native_qr_is_gs_paren_k_model_2_size_level_store_print():
    data = b"https://x.cn/q/1"
    expected = (HEAD + b"\x1ba\x01"
                + b"\x1d(k\x04\x001A2\x00"          # fn 65: model 2
                + b"\x1d(k\x03\x001C\x06"           # fn 67: module 6 dots
                + b"\x1d(k\x03\x001E1"              # fn 69: level M
                + b"\x1d(k" + bytes((len(data) + 3, 0)) + b"1P0" + data  # fn 80: store
                + b"\x1d(k\x03\x001Q0"              # fn 81: print
                + b"\n")
    assert encode([Qr(data.decode(), 6)], P80) == expected


def test_qr_as_image_when_the_profile_has_no_native_qr():
    out = encode([Qr("https://x.cn/q/1", 6)], profile_for(58, native_qr=False))
    assert b"\x1dv0" in out and b"\x1d(k" not in out


def test_no_chinese_font_profile_sends_text_as_raster_images_and_no_text_bytes():
    p = profile_for(58, has_chinese_font=False)
    out = encode([Text("受理回执"), Text("，。")], p)
    assert out.startswith(b"\x1b@") and b"\x1c&" not in out
    assert out.count(b"\x1dv0") == 2 and "受理".encode("gb18030") not in out
    cmds = Interpreter().feed(out)
    rasters = [c for c in cmds if c.name == "raster"]
    assert [c.args[0] * 8 for c in rasters] == [p.width_dots, p.width_dots]


def _printed_lines(data: bytes) -> list[str]:
    paper = Paper(576, 48)
    for cmd in Interpreter().feed(data):
        paper.apply(cmd)
    paper.flush()
    return [it.text for it in paper.items if it.kind == "text"]


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x9fff, blacklist_categories=("Cs",)),
               max_size=30))
def test_any_text_reads_back_the_same_from_the_wire(s):
    expected = s.replace("¥", "￥").replace("\u00a0", " ").replace("\x7f", "")
    assert _printed_lines(encode([Text(s)], P80)) == [expected]
