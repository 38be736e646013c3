"""The receipt layout, pure: a `Receipt` (受理回执) → a list of printer operations for a profile."""
from __future__ import annotations

import dataclasses
import datetime as _dt
from typing import Sequence

from drivers.printer.constants import FEED_BEFORE_CUT
from drivers.printer.ops import Cut, Feed, Op, Qr, Text, text_columns
from drivers.printer.profiles import PrinterProfile


@dataclasses.dataclass(frozen=True)
class Receipt:
    """What the printer is asked to print. Personal data arrives masked (张*, 110105********002X)
    and is printed as it arrives: masking is the kiosk's, done once."""

    kiosk_id: str
    location: str
    jurisdiction: str
    matter: str
    tracking_number: str
    qr_payload: str
    masked_id: str
    masked_name: str
    time: _dt.datetime
    materials: Sequence[str] = ()
    forwarded: bool = True
    next_steps: Sequence[str] = ()
    hotline: str = ""
    title: str = "受理回执"


_NO_LINE_START = set("，。、；：！？）】》」』”’,.;:!?)]%")


def wrap(text: str, cols: int, indent: int = 0) -> list[str]:
    """Break `text` into lines of at most `cols` printer columns; continuation lines get `indent`
    spaces. ASCII words (tracking numbers, URLs) are not split unless longer than a line."""
    lines: list[str] = []
    line, width = "", 0
    tokens: list[str] = []
    word = ""
    for ch in text:  # hanzi break anywhere; ASCII runs stay whole
        if ord(ch) < 0x80 and ch != " ":
            word += ch
            continue
        if word:
            tokens.append(word)
            word = ""
        tokens.append(ch)
    if word:
        tokens.append(word)
    for tok in tokens:
        w = text_columns(tok)
        if width + w > cols and line.strip():
            carry = ""
            if tok in _NO_LINE_START and len(line.strip()) > 1:
                line, carry = line[:-1], line[-1]  # 禁则: closing punctuation never starts a line
            lines.append(line.rstrip())
            line, width = " " * indent + carry, indent + text_columns(carry)
            if tok == " ":
                continue
        while w > cols - width:  # a single token longer than the line: split it
            room = cols - width
            head, tok = _split_columns(tok, room)
            lines.append(line + head)
            line, width = " " * indent, indent
            w = text_columns(tok)
        line += tok
        width += w
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines


def _split_columns(tok: str, room: int) -> tuple[str, str]:
    used, i = 0, 0
    while i < len(tok) and used + text_columns(tok[i]) <= room:
        used += text_columns(tok[i])
        i += 1
    i = max(i, 1)
    return tok[:i], tok[i:]


def _field(label: str, value: str, cols: int, bold: bool = False) -> list[Op]:
    return [Text(line, bold=bold) for line in wrap(f"{label}：{value}", cols, indent=text_columns(label) + 2)]


def layout(receipt: Receipt, profile: PrinterProfile) -> list[Op]:
    """The operations that print `receipt` on `profile`'s paper."""
    cols = profile.width_chars
    rule = Text("-" * cols)
    ops: list[Op] = []
    big = 2 if text_columns(receipt.title) * 2 <= cols else 1  # double size when it fits on one line
    ops += [Text(line, "center", bold=True, width=big, height=2) for line in wrap(receipt.title, cols // big)]
    ops += [Text(line, "center") for line in wrap(f"区域通办 · {receipt.location}", cols)]
    ops.append(rule)
    ops += _field("事项", receipt.matter, cols, bold=True)
    ops += _field("受理地", receipt.jurisdiction, cols)
    ops += _field("受理编号", receipt.tracking_number, cols, bold=True)
    ops += _field("申请人", receipt.masked_name, cols)
    ops += _field("证件号码", receipt.masked_id, cols)
    ops += _field("时间", receipt.time.strftime("%Y-%m-%d %H:%M"), cols)
    ops += _field("自助机", receipt.kiosk_id, cols)
    if receipt.materials:
        ops.append(Text("已提交材料："))
        for i, name in enumerate(receipt.materials, 1):
            ops += [Text(line) for line in wrap(f"  {i}. {name}", cols, indent=5)]
    ops.append(rule)
    if receipt.forwarded:
        status = f"已转送{receipt.jurisdiction}，等待远程预审。"
    else:
        status = "已保存在本机，网络恢复后自动转送，无需再次办理。"
    ops += [Text(line, bold=True) for line in wrap(status, cols)]
    if receipt.next_steps:
        ops.append(Text("后续："))
        for step in receipt.next_steps:
            ops += [Text(line) for line in wrap(f"· {step}", cols, indent=2)]
    ops.append(Feed(1))
    ops.append(Qr(receipt.qr_payload, profile.qr_module))
    ops.append(Text("扫码查询办理进度", "center"))
    if receipt.hotline:
        ops.append(Text(f"咨询电话：{receipt.hotline}", "center"))
    ops.append(Feed(FEED_BEFORE_CUT))
    ops.append(Cut())
    return ops


def check_page(profile: PrinterProfile, now: _dt.datetime, qr_payload: str = "https://example.invalid/q/TEST") -> list[Op]:
    """The technician's test receipt: Chinese text, punctuation-only and ¥ lines, sizes, a QR, a cut."""
    cols = profile.width_chars
    ops: list[Op] = [Text("打印测试", "center", bold=True, width=2, height=2),
                     Text(f"{profile.paper_mm} mm · {cols} 列 · {profile.width_dots} 点", "center"),
                     Text("-" * cols),
                     Text("简体字形：骨 直 说 过 门 龙"),
                     Text("，。：；！？（）【】"),
                     Text("￥12.50 ¥0.00"),
                     Text("粗体 Bold", bold=True),
                     Text("倍高", height=2),
                     Text("右对齐 right", "right"),
                     Text(now.strftime("%Y-%m-%d %H:%M:%S"), "center"),
                     Feed(1),
                     Qr(qr_payload, profile.qr_module),
                     Feed(FEED_BEFORE_CUT),
                     Cut()]
    return ops
