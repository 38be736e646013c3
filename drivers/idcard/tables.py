"""Code tables printed on the cards: sex (GB/T 2261.1) and ethnicity (GB 3304)."""
from __future__ import annotations

SEX = {"0": "unknown", "1": "male", "2": "female", "9": "unspecified"}
SEX_CODE = {v: k for k, v in SEX.items()}

_ETHNIC_NAMES = (
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 纳西 "
    "景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 "
    "裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
).split()
ETHNICITY = {f"{i:02d}": name for i, name in enumerate(_ETHNIC_NAMES, 1)}
ETHNICITY.update({"97": "其他", "98": "外国血统中国籍人士"})
ETHNICITY_CODE = {v: k for k, v in ETHNICITY.items()}
assert len(_ETHNIC_NAMES) == 56


def sex_name(code: str) -> str:
    return SEX.get(code.strip(), "unknown")


def ethnicity_name(code: str) -> str | None:
    """The ethnicity for a code; None when blank or unknown (the raw code stays in the record)."""
    return ETHNICITY.get(code.strip().zfill(2)) if code.strip() else None
