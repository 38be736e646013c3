"""The pure logic behind the on-screen pinyin keyboard: letters in, Chinese candidates out
(pypinyin's data; no Kivy here, so it is unit-tested directly)."""
from __future__ import annotations

import threading
import time
import unicodedata

# How many candidates the keyboard shows at once (one row of big buttons).
PAGE = 8
# Phrases longer than this are never offered: a kiosk resident types an address piece by piece.
MAX_PHRASE = 4
# Initials alone ("bj") match hundreds of phrases: at most this many of one cover are offered,
# so the single characters stay a few pages away.
INITIALS_CAP = 24

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
人民医院 中医医院 人民政府 北京市 通州区 河北省 廊坊市 三河市 香河县 大厂县 燕郊镇 宋庄镇 开发区 工业园 商业街 家属院 宿舍
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
    """Built once per process (warm() at start, in a worker thread): syllable → characters, the
    set of syllables and of their prefixes, and every phrase (pypinyin's phrase table and the
    lexicon) filed under its initials ("bj" → 北京 …) with its toneless syllables."""

    _lock = threading.Lock()
    _chars: dict[str, list[str]] | None = None
    _syllables: frozenset[str] = frozenset()
    _prefixes: frozenset[str] = frozenset()
    _common: dict[str, int] | None = None
    _level1: frozenset[str] = frozenset()  # GB 2312 level 1: the characters phrases may use
    _by_initials: dict[str, list[tuple]] | None = None
    build_seconds: float | None = None  # how long the whole index took (for the benchmark/report)

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
                cls._level1 = frozenset(c for v in cls._chars.values() for c in v if _gb2312_rank(c) == 1)
                cls._syllables = frozenset(cls._chars)
                cls._prefixes = frozenset(s[:i] for s in cls._chars for i in range(1, len(s) + 1))
            return cls._chars

    @classmethod
    def phrases(cls) -> dict[str, list[tuple]]:
        """initials → [(phrase, syllables, in the lexicon, commonness rank)], best first."""
        cls.chars()
        with cls._lock:
            if cls._by_initials is None:
                from pypinyin import lazy_pinyin
                from pypinyin.phrases_dict import phrases_dict

                common = cls.common()
                unknown = len(_COMMON) + 200
                level1, syllables = cls._level1, cls._syllables
                toneless: dict[str, str] = {}
                found: dict[str, tuple] = {}

                def add(phrase: str, readings, lexicon: bool) -> None:
                    syls = []
                    for r in readings:
                        s = toneless.get(r)
                        if s is None:
                            s = toneless[r] = _toneless(r)
                        syls.append(s)
                    if len(syls) != len(phrase) or not syllables.issuperset(syls):
                        return
                    # no frequency data: a phrase of common characters ranks ahead of a rare one
                    rank = sum([common.get(c, unknown) for c in phrase])
                    found[phrase] = (phrase, tuple(syls), lexicon, rank)

                for extra in _LEXICON.split():
                    add(extra, lazy_pinyin(extra), True)
                for phrase, readings in phrases_dict.items():
                    if 2 <= len(phrase) <= MAX_PHRASE and phrase not in found and level1.issuperset(phrase):
                        add(phrase, [r[0] for r in readings], False)
                out: dict[str, list[tuple]] = {}
                for e in found.values():
                    out.setdefault("".join([s[0] for s in e[1]]), []).append(e)
                for v in out.values():
                    v.sort(key=lambda e: (not e[2], e[3], e[0]))
                cls._by_initials = out
            return cls._by_initials

    @classmethod
    def syllables(cls) -> frozenset[str]:
        cls.chars()
        return cls._syllables

    @classmethod
    def common(cls) -> dict[str, int]:
        """character → its place in _COMMON (smaller is more frequent)."""
        if cls._common is None:
            cls._common = {c: i for i, c in reversed(list(enumerate(_COMMON)))}
        return cls._common

    @classmethod
    def prefixes(cls) -> frozenset[str]:
        cls.chars()
        return cls._prefixes


def warm() -> float:
    """Build the indexes ahead of the first key press (call from a worker thread at start);
    returns the seconds it took (0 when they were already built)."""
    if _Index.build_seconds is not None:
        return 0.0
    t = time.perf_counter()
    _Index.phrases()
    _Index.build_seconds = time.perf_counter() - t
    return _Index.build_seconds


def split_syllables(letters: str) -> list[str] | None:
    """Greedy-longest split of toneless letters into whole pinyin syllables (the last may be a
    prefix of one); None if the letters cannot be full pinyin (initials such as "bj" cannot)."""
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
            if rest in _Index.prefixes():
                out.append(rest)
                return out
            return None
    return out


def _token_ends(letters: str, i: int) -> list[int]:
    """Where a token starting at `i` may end. A token is a whole syllable ("bei"), the start of
    one that the next letter cannot continue (the "b" of "bj", the "zh" of "zhj"), or the start
    of one at the end of the input ("beij")."""
    pre, syl = _Index.prefixes(), _Index.syllables()
    n = len(letters)
    ends = []
    for j in range(i + 1, min(n, i + 6) + 1):
        t = letters[i:j]
        if t not in pre:
            break  # prefixes are prefix-closed: nothing longer can match either
        if t in syl or j == n or letters[i:j + 1] not in pre:
            ends.append(j)
    return ends


def segmentations(letters: str) -> list[tuple[int, tuple[str, ...]]]:
    """(letters covered, tokens) for every way 2 to MAX_PHRASE tokens cover a start of
    `letters`; never one whose covered letters could still be a single syllable ("jie" is 姐,
    not 极恶; "hao" is 号, not 哈欧)."""
    out: list[tuple[int, tuple[str, ...]]] = []
    pre = _Index.prefixes()

    def walk(i: int, tokens: tuple[str, ...]) -> None:
        if len(tokens) >= 2 and letters[:i] not in pre:
            out.append((i, tokens))
        if len(tokens) == MAX_PHRASE:
            return
        for j in _token_ends(letters, i):
            walk(j, tokens + (letters[i:j],))

    walk(0, ())
    return out


def _first_token(letters: str) -> str | None:
    """The token the single-character candidates are for: the first whole syllable of a full
    pinyin split, else the first token of an initials input ("b" of "bj")."""
    parts = split_syllables(letters)
    if parts:
        return parts[0]
    ends = _token_ends(letters, 0)
    return letters[:ends[-1]] if ends else None


class PinyinComposer:
    """The keyboard's state: the letters typed so far and the candidates they give.

    Full pinyin ("beijing"), initials ("bj") and both mixed ("beij") give phrases; `press("d")`,
    `press("a")` → candidates() starts with 大 …; `choose(i)` returns the chosen text and consumes
    exactly the letters it covered. Letters that are no pinyin give no candidates."""

    def __init__(self, page_size: int = PAGE) -> None:
        self.letters = ""
        self.page = 0
        self.page_size = page_size
        self._memo: tuple[str, list[tuple[str, int]]] = ("", [])

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
        """(text, letters covered) pairs, best first: phrases covering the whole input, then
        phrases covering less (longest first), then characters for the first syllable. Among
        phrases of one cover: lexicon words, then full-pinyin matches, then initials matches,
        then the more common characters."""
        if self._memo[0] == self.letters:
            return self._memo[1]
        out = self._compute(self.letters)
        self._memo = (self.letters, out)
        return out

    @staticmethod
    def _compute(letters: str) -> list[tuple[str, int]]:
        if not letters:
            return []
        table = _Index.phrases()
        matches: dict[str, tuple] = {}
        for covered, tokens in segmentations(letters):
            bucket = table.get("".join(t[0] for t in tokens))
            if not bucket:
                continue
            for phrase, syls, lexicon, rank in bucket:
                if len(syls) != len(tokens) or not all(s.startswith(t) for s, t in zip(syls, tokens)):
                    continue
                full = syls == tokens
                key = (-covered, not lexicon, not full, rank)
                if phrase not in matches or key < matches[phrase][0]:
                    matches[phrase] = (key, covered, full)
        ranked = sorted(matches.items(), key=lambda kv: (kv[1][0], kv[0]))
        out: list[tuple[str, int]] = []
        partial_per_cover: dict[int, int] = {}
        for phrase, (_key, covered, full) in ranked:
            if not full:  # initials match hundreds of phrases: keep the characters within reach
                partial_per_cover[covered] = partial_per_cover.get(covered, 0) + 1
                if partial_per_cover[covered] > INITIALS_CAP:
                    continue
            out.append((phrase, covered))
        seen = {p for p, _ in out}
        first = _first_token(letters)
        if first:
            chars = _Index.chars()
            if first in chars:
                pool = [(c, len(first)) for c in chars[first]]
            else:  # a prefix ("sh"): the leading characters of every syllable it starts, commonest first
                common = _Index.common()
                heads = [c for s in sorted(_Index.syllables()) if s.startswith(first) for c in chars[s][:6]]
                pool = [(c, len(first)) for c in sorted(heads, key=lambda c: common.get(c, len(common)))]
            for c, n in pool:
                if c not in seen:
                    out.append((c, n))
                    seen.add(c)
        return out

    def candidates(self) -> list[str]:
        allc = self.all_candidates()
        n = self.page_size
        return [c for c, _ in allc[self.page * n:(self.page + 1) * n]]

    def pages(self) -> int:
        return (len(self.all_candidates()) + self.page_size - 1) // self.page_size

    def more(self) -> bool:
        """Turn to the next page of candidates (wraps round). False when there is one page."""
        pages = self.pages()
        if pages <= 1:
            return False
        self.page = (self.page + 1) % pages
        return True

    def choose(self, index: int) -> str:
        """The text of candidate `index` on this page; exactly its letters leave the buffer."""
        allc = self.all_candidates()
        text, covered = allc[self.page * self.page_size + index]
        self.letters = self.letters[covered:]
        self.page = 0
        return text
