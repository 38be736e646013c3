"""Demo document pages for the image-folder scanner twin, drawn with Pillow on first use: a 户口簿
page, a 结婚证 and a 劳动合同 page, as a 200 dpi scan of A4 on a dark scanner bed. Every name
and number on them is made up and marked 样本 (sample)."""
from __future__ import annotations

import os
import random

from PIL import Image, ImageDraw, ImageFilter

from drivers.cachedir import user_cache_dir
from drivers.fonts import sc_font

DPI = 200
A4 = (1654, 2339)          # 210 x 297 mm at 200 dpi
BED = (1740, 2440)         # the scanner glass is a little larger than the page
OFFSET = (38, 46)          # where the page lies on the glass
NAMES = ("01-hukou.jpg", "02-marriage.jpg", "03-contract.jpg")


def _mm(v: float) -> int:
    return int(v * DPI / 25.4)


def _seal(d: ImageDraw.ImageDraw, cx: int, cy: int, r: int, text: str) -> None:
    red = (205, 40, 40)
    d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=red, width=8)
    d.text((cx, cy - r // 6), "★", font=sc_font(r // 2), fill=red, anchor="mm")
    d.text((cx, cy + r * 2 // 5), text, font=sc_font(max(12, int(1.3 * r / max(1, len(text))))), fill=red, anchor="mm")


def _hukou() -> Image.Image:
    page = Image.new("RGB", A4, (246, 243, 232))
    d = ImageDraw.Draw(page)
    d.text((A4[0] // 2, _mm(25)), "常住人口登记卡", font=sc_font(_mm(9), True), fill=(20, 20, 20), anchor="mm")
    x0, x1, y = _mm(18), A4[0] - _mm(18), _mm(40)
    rows = [("姓名", "张样本", "户主或与户主关系", "户主"), ("曾用名", "无", "性别", "男"),
            ("出生地", "北京市通州区", "民族", "汉"), ("籍贯", "河北省廊坊市", "出生日期", "1990年1月1日"),
            ("本市（县）其他住址", "无", "宗教信仰", "无"),
            ("公民身份号码", "110000 19900101 000X（样本）", "身高", "175厘米"),
            ("文化程度", "大学本科", "婚姻状况", "已婚"), ("兵役状况", "未服兵役", "服务处所", "示例科技有限公司"),
            ("职业", "工程师", "何时由何地迁来本市", "2015年 河北省三河市"),
            ("何时由何地迁来本址", "2018年 本市通州区", "承办人签章", "李经办")]
    rh = _mm(16)
    cols = [x0, x0 + _mm(44), x0 + _mm(98), x0 + _mm(140), x1]
    f = sc_font(_mm(3.9))
    for label, value, label2, value2 in rows:
        d.rectangle((x0, y, x1, y + rh), outline=(60, 60, 60), width=3)
        for cx in cols[1:-1]:
            d.line((cx, y, cx, y + rh), fill=(60, 60, 60), width=3)
        for (a, b), text, col in zip(((0, 1), (1, 2), (2, 3), (3, 4)), (label, value, label2, value2),
                                     ((90, 90, 90), (15, 15, 40), (90, 90, 90), (15, 15, 40))):
            d.text(((cols[a] + cols[b]) // 2, y + rh // 2), text, font=f, fill=col, anchor="mm")
        y += rh
    d.text((x0, y + _mm(12)), "登记事项变更和更正记载：无", font=f, fill=(40, 40, 40))
    _seal(d, A4[0] - _mm(55), y + _mm(45), _mm(22), "户口专用章（样本）")
    return page


def _marriage() -> Image.Image:
    page = Image.new("RGB", A4, (250, 247, 240))
    d = ImageDraw.Draw(page)
    red = (180, 30, 35)
    d.rectangle((_mm(12), _mm(12), A4[0] - _mm(12), _mm(148)), outline=red, width=10)
    d.text((A4[0] // 2, _mm(30)), "结 婚 证", font=sc_font(_mm(14), True), fill=red, anchor="mm")
    # the couple's photo: a red backdrop with two plain silhouettes (no real faces)
    px, py, pw, ph = _mm(60), _mm(45), _mm(90), _mm(60)
    d.rectangle((px, py, px + pw, py + ph), fill=(200, 45, 45))
    for cx in (px + pw // 3, px + 2 * pw // 3):
        d.ellipse((cx - _mm(10), py + _mm(12), cx + _mm(10), py + _mm(34)), fill=(240, 210, 185))
        d.rectangle((cx - _mm(16), py + _mm(36), cx + _mm(16), py + ph), fill=(30, 30, 50) if cx < px + pw // 2 else (245, 245, 250))
    f = sc_font(_mm(5))
    lines = [("持证人", "张样本"), ("登记日期", "2020年05月20日"), ("结婚证字号", "J110000-2020-000000（样本）"),
             ("姓名", "张样本　　性别 男　　国籍 中国"), ("姓名", "王示例　　性别 女　　国籍 中国")]
    y = _mm(112)
    for k, v in lines[:3]:
        d.text((_mm(30), y), f"{k}：{v}", font=f, fill=(30, 30, 30))
        y += _mm(10)
    d.line((_mm(12), _mm(160), A4[0] - _mm(12), _mm(160)), fill=(200, 200, 200), width=3)
    y = _mm(175)
    d.text((_mm(30), y), "申请结婚，经审查符合《中华人民共和国民法典》关于结婚的规定，予以登记，发给此证。",
           font=sc_font(_mm(4.2)), fill=(30, 30, 30))
    for k, v in lines[3:]:
        y += _mm(12)
        d.text((_mm(30), y), f"{k}：{v}", font=f, fill=(30, 30, 30))
    _seal(d, A4[0] - _mm(60), _mm(250), _mm(24), "婚姻登记专用章（样本）")
    return page


def _contract() -> Image.Image:
    page = Image.new("RGB", A4, (252, 252, 250))
    d = ImageDraw.Draw(page)
    d.text((A4[0] // 2, _mm(28)), "劳 动 合 同 书", font=sc_font(_mm(9), True), fill=(10, 10, 10), anchor="mm")
    f = sc_font(_mm(4.3))
    paras = [
        "甲方（用人单位）：示例科技有限公司（样本）",
        "乙方（劳动者）：张样本　　居民身份证号码：110000********000X",
        "根据《中华人民共和国劳动法》《中华人民共和国劳动合同法》等法律法规，甲乙双方经平等协商一致，"
        "自愿签订本合同，共同遵守本合同所列条款。",
        "第一条　合同期限：本合同为固定期限劳动合同，自2024年1月1日起至2026年12月31日止，其中试用期三个月。",
        "第二条　工作内容和工作地点：乙方同意在甲方软件研发岗位工作，工作地点为北京市通州区。",
        "第三条　工作时间和休息休假：甲方安排乙方执行标准工时制度，每日工作不超过八小时，每周不超过四十小时。",
        "第四条　劳动报酬：乙方月工资为人民币（大写）壹万元整（￥10,000.00），甲方于每月十五日前以货币形式支付。",
        "第五条　社会保险和福利待遇：甲乙双方按国家和北京市的规定参加社会保险，缴纳住房公积金。",
        "第六条　劳动保护、劳动条件和职业危害防护：甲方为乙方提供符合国家规定的劳动条件和劳动保护用品。",
        "第七条　本合同一式两份，甲乙双方各执一份，具有同等法律效力。",
    ]
    y, x0, width = _mm(45), _mm(22), A4[0] - _mm(44)
    for para in paras:
        line = ""
        for ch in para:
            if d.textlength(line + ch, font=f) > width:
                d.text((x0, y), line, font=f, fill=(25, 25, 25))
                y += _mm(7.5)
                line = ""
            line += ch
        d.text((x0, y), line, font=f, fill=(25, 25, 25))
        y += _mm(11)
    y += _mm(10)
    d.text((x0, y), "甲方（盖章）：", font=f, fill=(25, 25, 25))
    d.text((A4[0] // 2 + _mm(10), y), "乙方（签字）：张样本", font=f, fill=(25, 25, 25))
    d.text((x0, y + _mm(12)), "日期：2023年12月20日", font=f, fill=(25, 25, 25))
    _seal(d, x0 + _mm(55), y + _mm(8), _mm(20), "合同专用章（样本）")
    d.text((A4[0] // 2, A4[1] - _mm(12)), "第 1 页 共 3 页", font=sc_font(_mm(3.5)), fill=(90, 90, 90), anchor="mm")
    return page


def draw_page(i: int) -> Image.Image:
    """Demo page `i` (0 户口簿, 1 结婚证, 2 劳动合同) as printed: A4 at 200 dpi, no scanner bed."""
    return (_hukou, _marriage, _contract)[i % len(NAMES)]()


def as_scanned(page: Image.Image, seed: int) -> Image.Image:
    """The page as a flatbed returns it: on the dark glass, slightly soft, with sensor noise."""
    rnd = random.Random(seed)
    bed = Image.new("RGB", BED, (58, 60, 62))
    bed.paste(page.filter(ImageFilter.GaussianBlur(0.6)), OFFSET)
    noise = Image.effect_noise((BED[0] // 2, BED[1] // 2), 10).resize(BED).convert("RGB")  # grain, cheaply
    bed = Image.blend(bed, noise, 0.06 + rnd.random() * 0.02)
    return bed


def generate(folder: str) -> list[str]:
    """Write the demo pages into `folder` (if not there yet); their paths in scan order."""
    os.makedirs(folder, exist_ok=True)
    paths = []
    for i, name in enumerate(NAMES):
        path = os.path.join(folder, name)
        if not os.path.exists(path):
            tmp = path + ".part.jpg"
            as_scanned(draw_page(i), i).save(tmp, "JPEG", quality=88, dpi=(DPI, DPI))  # as a scanner app saves it
            os.replace(tmp, path)
        paths.append(path)
    return paths


def default_folder() -> str:
    return user_cache_dir("demo-pages-v4")
