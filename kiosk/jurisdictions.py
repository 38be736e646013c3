"""The jurisdictions a kiosk may serve: code → names. A site config may only name these."""
from __future__ import annotations

KNOWN = {
    # code: (Chinese name, English name)
    "tongzhou": ("北京城市副中心（通州区）", "Beijing Sub-center (Tongzhou)"),
    "sanhe": ("三河市", "Sanhe"),
    "dachang": ("大厂回族自治县", "Dachang Hui Autonomous County"),
    "xianghe": ("香河县", "Xianghe"),
    # the 2.0 rollout
    "chaoyang": ("朝阳区", "Chaoyang"),
    "shunyi": ("顺义区", "Shunyi"),
    "daxing": ("大兴区", "Daxing"),
    "bda": ("北京经济技术开发区", "Beijing Economic-Technological Development Area"),
}


def name_zh(code: str) -> str:
    return KNOWN.get(code, (code, code))[0]


def name_en(code: str) -> str:
    return KNOWN.get(code, (code, code))[1]
