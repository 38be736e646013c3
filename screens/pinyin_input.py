"""The pure logic behind the on-screen pinyin keyboard: letters in, Chinese candidates out
(pypinyin's data; no Kivy here, so it is unit-tested directly)."""
from __future__ import annotations

import threading
import unicodedata

# How many candidates the keyboard shows at once (one row of big buttons).
PAGE = 8
# Phrases longer than this are never offered: a kiosk resident types an address piece by piece.
MAX_PHRASE = 4

# Characters residents type most in addresses and names on these forms, offered first when
# their pinyin matches (pypinyin has no frequency data; GB 2312 level 1 order comes next).
_PREFERRED = ("省市区县镇乡村街路道号楼栋单元室层院巷里小组社居委会"
              "北京通州三河大厂香河廊坊燕郊河北天津朝阳顺义房山宋庄潞城永顺梨园台湖"
              "东西南北中新华建设人民和平幸福花园家园小区公寓花苑")


# The most frequent characters of modern written Chinese, roughly in order: a stand-in for the
# frequency data pypinyin lacks, so 大 comes before 塔 for "da".
_COMMON = ("的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过"
           "家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本"
           "见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己"
           "话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平"
           "真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报"
           "立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务"
           "制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科"
           "怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运"
           "武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黑断线设"
           "约维亚官调视河州村镇街号楼栋单元室层园庄")


# Words residents type on these forms (addresses, workplaces, company names). pypinyin's phrase
# table only holds phrases whose reading differs from their characters', so common words such as
# 人民 or 医院 are missing there.
_LEXICON = """
北京 河北 廊坊 通州 三河 大厂 香河 燕郊 宋庄 潞城 永顺 梨园 台湖 马驹桥 张家湾 漷县 西集 于家务 永乐店
新华 建设 人民 幸福 和平 胜利 解放 光明 朝阳 东方 花园 家园 小区 社区 街道 村委会 居委会 号楼 单元
医院 卫生 卫生院 服务 中心 诊所 妇幼 保健 医疗 健康 中医 口腔 药店 大药房
公司 有限 有限公司 责任 科技 商贸 贸易 建筑 工程 农业 合作社 超市 餐饮 物流 运输 家具 食品 电子 文化 传媒
学校 小学 中学 大学 幼儿园 政府 派出所 银行 北街 南街 东街 西街 大街 路口
"""


def _toneless(syllable: str) -> str:
    for u in "üǖǘǚǜ":
        syllable = syllable.replace(u, "v")
    s = unicodedata.normalize("NFKD", syllable)
    s = "".join(c for c in s if not unicodedata.combining(c))
    return s.replace("ü", "v").replace("u:", "v").lower()


def _gb2312_rank(ch: str) -> int:
    """Level 1 of GB 2312 holds the 3,755 most used characters: rank them ahead of the rest."""
    try:
        b = ch.encode("gb2312")
    except UnicodeEncodeError:
        return 3
    if len(b) != 2:
        return 3
    return 1 if b[0] < 0xD8 else 2


class _Index:
    """syllable → characters, and joined-pinyin → phrases, built once per process."""

    _lock = threading.Lock()
    _chars: dict[str, list[str]] | None = None
    _phrases: dict[str, list[str]] | None = None
    _syllables: frozenset[str] = frozenset()

    @classmethod
    def chars(cls) -> dict[str, list[str]]:
        with cls._lock:
            if cls._chars is None:
                from pypinyin.pinyin_dict import pinyin_dict

                common = {c: i for i, c in enumerate(_COMMON)}
                by: dict[str, list[tuple]] = {}
                for cp, readings in pinyin_dict.items():
                    ch = chr(cp)
                    rank = _gb2312_rank(ch)
                    if rank == 3:
                        continue  # rare characters only clutter a kiosk keyboard
                    for n, r in enumerate(readings.split(",")):
                        # the character's main reading first, then common, preferred, GB 2312 level
                        key = (n > 0, common.get(ch, 9999), ch not in _PREFERRED, rank, cp)
                        by.setdefault(_toneless(r), []).append((key, ch))
                cls._chars = {s: [c for _, c in sorted(v)] for s, v in by.items()}
                cls._syllables = frozenset(cls._chars)
            return cls._chars

    @classmethod
    def phrases(cls) -> dict[str, list[str]]:
        cls.chars()
        with cls._lock:
            if cls._phrases is None:
                from pypinyin.phrases_dict import phrases_dict

                out: dict[str, list[str]] = {}
                for phrase, readings in phrases_dict.items():
                    if 2 <= len(phrase) <= MAX_PHRASE and all(_gb2312_rank(c) == 1 for c in phrase):
                        out.setdefault("".join(_toneless(r[0]) for r in readings), []).append(phrase)
                from pypinyin import lazy_pinyin

                for extra in _LEXICON.split():
                    key = "".join(_toneless(p) for p in lazy_pinyin(extra))
                    out.setdefault(key, [])
                    if extra not in out[key]:
                        out[key].insert(0, extra)
                cls._phrases = out
            return cls._phrases

    @classmethod
    def syllables(cls) -> frozenset[str]:
        cls.chars()
        return cls._syllables


def warm() -> None:
    """Build the indexes ahead of the first key press (call from a worker thread at start)."""
    _Index.phrases()


def split_syllables(letters: str) -> list[str] | None:
    """Greedy-longest split of toneless letters into pinyin syllables (the last may be a
    prefix of one); None if the letters cannot be pinyin."""
    syl = _Index.syllables()
    out: list[str] = []
    i = 0
    while i < len(letters):
        for j in range(min(len(letters), i + 6), i, -1):
            if letters[i:j] in syl:
                out.append(letters[i:j])
                i = j
                break
        else:
            rest = letters[i:]
            if any(s.startswith(rest) for s in syl):
                out.append(rest)
                return out
            return None
    return out


class PinyinComposer:
    """The keyboard's state: the letters typed so far and the candidates they give.

    `press("d")`, `press("a")` → candidates() starts with 大 …; `choose(i)` returns the chosen
    text and consumes the letters it covered. Letters that are no pinyin give no candidates."""

    def __init__(self) -> None:
        self.letters = ""
        self.page = 0

    def press(self, letter: str) -> None:
        letter = letter.lower()
        if len(letter) != 1 or not ("a" <= letter <= "z"):
            raise ValueError(f"not a pinyin letter: {letter!r}")
        self.letters += letter
        self.page = 0

    def backspace(self) -> None:
        self.letters = self.letters[:-1]
        self.page = 0

    def clear(self) -> None:
        self.letters = ""
        self.page = 0

    def all_candidates(self) -> list[tuple[str, int]]:
        """(text, letters covered) pairs, best first: whole-input phrases, then characters for
        the first syllable."""
        if not self.letters:
            return []
        letters = self.letters.replace("u:", "v")
        out: list[tuple[str, int]] = []
        seen: set[str] = set()
        parts = split_syllables(letters)
        if parts and len(parts) > 1:  # "jie" is one syllable, not 极恶
            for p in _Index.phrases().get(letters, []):
                if p not in seen:
                    out.append((p, len(letters)))
                    seen.add(p)
        if parts:
            first = parts[0]
            chars = _Index.chars()
            if first in chars:
                pool = [(c, len(first)) for c in chars[first]]
            else:  # a prefix: every syllable it starts
                pool = [(c, len(first)) for s in sorted(_Index.syllables()) if s.startswith(first)
                        for c in chars[s][:6]]
            for c, n in pool:
                if c not in seen:
                    out.append((c, n))
                    seen.add(c)
        return out

    def candidates(self) -> list[str]:
        allc = self.all_candidates()
        return [c for c, _ in allc[self.page * PAGE:(self.page + 1) * PAGE]]

    def more(self) -> bool:
        """Turn to the next page of candidates (wraps round). False when there is one page."""
        n = len(self.all_candidates())
        if n <= PAGE:
            return False
        self.page = (self.page + 1) % ((n + PAGE - 1) // PAGE)
        return True

    def choose(self, index: int) -> str:
        """The text of candidate `index` on this page; its letters leave the buffer."""
        allc = self.all_candidates()
        text, covered = allc[self.page * PAGE + index]
        self.letters = self.letters[covered:]
        self.page = 0
        return text
