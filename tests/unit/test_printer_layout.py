"""The receipt layout for 58 and 80 mm paper: fits the width, says what the resident needs."""
import pytest

from drivers.printer.layout import layout, check_page, wrap
from drivers.printer.ops import Cut, Feed, Qr, Text, text_columns
from drivers.printer.profiles import profile_for
from tests.support.printer import QR_PAYLOAD, sample_receipt


@pytest.mark.parametrize("paper,cols", [(58, 32), (80, 48)])
def test_every_line_fits_the_paper(paper, cols):
    profile = profile_for(paper)
    assert profile.width_chars == cols
    ops = layout(sample_receipt(matter="一个名字非常非常长的政务服务事项，需要换行才能打印完整的名称"), profile)
    for op in ops:
        if isinstance(op, Text):
            assert text_columns(op.text) * op.width <= cols, op


@pytest.mark.parametrize("paper", [58, 80])
def test_receipt_says_what_matters_and_ends_with_qr_feed_and_cut(paper):
    ops = layout(sample_receipt(), profile_for(paper))
    text = "\n".join(op.text for op in ops if isinstance(op, Text))
    for needle in ("受理回执", "TZ2026112700017", "110105********002X", "张*", "三河市", "2026-11-27 09:30",
                   "户口簿", "结婚证", "劳动合同", "12345", "自动转送", "远程预审"):
        assert needle in text.replace("\n", "").replace(" ", "") or needle in text, needle
    assert [op for op in ops if isinstance(op, Qr)] == [Qr(QR_PAYLOAD, profile_for(paper).qr_module)]
    assert isinstance(ops[-1], Cut) and isinstance(ops[-2], Feed)


def test_forwarded_and_queued_receipts_say_different_things():
    def words(r):
        return "".join(op.text for op in layout(r, profile_for(80)) if isinstance(op, Text))
    assert "已转送三河市" in words(sample_receipt(forwarded=True))
    assert "网络恢复后自动转送" in words(sample_receipt(forwarded=False))


def test_the_full_id_number_never_reaches_the_layout():
    ops = layout(sample_receipt(), profile_for(58))
    assert not any("19900101" in op.text for op in ops if isinstance(op, Text))


def test_wrap_keeps_ascii_words_whole_and_punctuation_off_line_starts():
    assert wrap("受理编号：TZ2026112700017", 20) == ["受理编号：", "TZ2026112700017"]
    lines = wrap("已保存在本机，网络恢复后自动转送，无需再次办理。", 32)
    assert all(not line.startswith(("，", "。")) for line in lines)
    assert all(text_columns(line) <= 32 for line in lines)


def test_wrap_splits_a_word_longer_than_the_line():
    assert wrap("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


def test_wrap_indents_continuation_lines():
    text = "事项：" + "很长" * 10
    lines = wrap(text, 16, indent=6)
    assert len(lines) > 2 and all(line.startswith(" " * 6) for line in lines[1:])
    assert all(text_columns(line) <= 16 for line in lines)
    assert "".join(line.strip() for line in lines) == text


def test_check_page_has_punctuation_only_and_yen_lines():
    import datetime as dt
    ops = check_page(profile_for(58), dt.datetime(2026, 1, 1))
    texts = [op.text for op in ops if isinstance(op, Text)]
    assert "，。：；！？（）【】" in texts and any("¥" in t for t in texts)
    assert any(isinstance(op, Qr) for op in ops)
