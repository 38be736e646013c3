"""Synthetic catalogs of thousands of matters (3,600 as in 区域通办 2.0; 36,000 for headroom),
built from the sample's vocabulary, for scale tests and benchmarks."""
from __future__ import annotations

import dataclasses
import random
from typing import Iterable

from kiosk.catalog.model import Guide, Matter, OperationMapping

_JUR = {"tongzhou": "TZ", "sanhe": "SH", "dachang": "DC", "xianghe": "XH"}
_OBJECTS = ("住房公积金", "基本养老保险", "基本医疗保险", "失业保险", "工伤保险", "生育保险", "社会保障卡",
            "护士执业", "医师执业", "药品经营", "食品经营", "营业执照", "个体工商户", "道路运输", "建筑业企业资质",
            "居住证", "残疾人证", "高龄津贴", "最低生活保障", "就业创业证", "职业技能等级", "二手房交易",
            "不动产", "排水许可", "户外广告设置", "城镇污水排入", "特种设备使用", "出版物经营", "旅行社业务",
            "人力资源服务", "劳务派遣", "民办学校", "幼儿园", "养老机构", "医疗机构执业", "母婴保健技术",
            "公共场所卫生", "放射诊疗", "消防安全检查", "燃气经营", "供热经营", "林木采伐", "农药经营",
            "兽药经营", "种子生产经营", "渔业捕捞", "水土保持方案", "取水许可", "建设工程规划", "施工许可")
_ACTIONS = ("登记", "变更登记", "注销登记", "延续", "补办", "申领", "查询", "备案", "审批", "认定", "转移接续",
            "待遇申领", "提取", "年检", "换证", "核准", "许可", "证明开具")
_SCOPES = ("", "（首次）", "（跨省）", "（个人）", "（单位）", "（京冀通办）", "（线上）", "（补正）")
# towns and streets (乡镇街道): the place that makes each generated name distinct, as a real
# catalog's names are (at most 7,200 distinct names from the words above would let a pinyin cache
# make a big catalog look cheap to build)
_PLACE_CHARS = ("永乐店潞城宋庄张家湾漷县马驹桥西集台湖于务梨园顺北苑中仓新华玉杨燕郊高楼皇泃阳李旗段甲岭黄土"
                "固安香河淑蒋辛屯渠口平钱旺五百户刘大厂夏垫祁各良陈府邵吉镇东南柳营定白")
_PLACE_KINDS = ("镇", "乡", "街道")
_CATEGORIES = ("住房公积金", "社会保险", "医疗保险", "卫生健康", "市场监管", "民政", "就业创业", "交通运输",
               "住房城乡建设", "公安户政", "药品监管", "农业农村", "水务", "文化旅游", "教育", "应急管理")


def synthetic_matters(n: int, *, seed: int = 2023, base: Iterable[Matter] = ()) -> list[Matter]:
    """n matters: the real ones in `base` first, then distinct generated names from the vocabulary
    (object, action, scope and a town), with Zipf-like popularity. Deterministic for a seed."""
    rng = random.Random(seed)
    out = list(base)[:n]
    codes = {m.code for m in out}
    names = {m.name for m in out}
    i = 0
    while len(out) < n:
        i += 1
        jur = rng.choice(tuple(_JUR))
        obj, act, scope = rng.choice(_OBJECTS), rng.choice(_ACTIONS), rng.choice(_SCOPES)
        kind = "query" if act in ("查询", "证明开具") else "application"
        code = f"{_JUR[jur]}-S{i % 1000:03d}-{i:06d}"
        if code in codes:
            continue
        place = "".join(rng.choice(_PLACE_CHARS) for _ in range(rng.choice((2, 2, 3)))) + rng.choice(_PLACE_KINDS)
        name = f"{obj}{act}{scope}（{place}）"
        if name in names:
            continue
        codes.add(code)
        names.add(name)
        out.append(Matter(
            code=code, name=name, jurisdiction=jur, audience=rng.choice(("personal", "company")),
            category=rng.choice(_CATEGORIES), kind=kind, offline_ok=kind == "application",
            guide=Guide(summary=f"{name}。"), mapping=OperationMapping(operation="submit", fields={}),
            popularity=int(1000 / (1 + rng.random() * 200)), delivery=("electronic",) if kind == "query" else ("pickup", "mail")))
    return out


def catalog_json(matters: Iterable[Matter]) -> str:
    """A catalog file's text (format 1) holding `matters`."""
    import json

    from kiosk.catalog.codec import matter_to_dict

    return json.dumps({"format": 1, "matters": [matter_to_dict(m) for m in matters]}, ensure_ascii=False,
                      separators=(",", ":"))


def with_popularity(m: Matter, popularity: int) -> Matter:
    return dataclasses.replace(m, popularity=popularity)
