"""Catalog search by Chinese substring, full pinyin and pinyin initials, ranked
exact > prefix > substring > keyword, then popularity. Built once per catalog; each query touches
only the matters that can match (gram postings in popularity order, early stop at the limit)."""
from __future__ import annotations

import bisect
import functools
import re
from typing import Callable, Iterable, Sequence

from kiosk.catalog.model import Matter

_CJK = re.compile(r"[\u3400-\u9fff]")
_DROP = re.compile(r"[^0-9a-z\u3400-\u9fff]+")


def normalise(text: str) -> str:
    """Lower case, no spaces or punctuation (full-width brackets included)."""
    return _DROP.sub("", text.lower())


@functools.lru_cache(maxsize=65536)  # categories and keywords repeat across thousands of matters
def pinyin_forms(text: str) -> tuple[str, str]:
    """(full pinyin, initials) of a text: 住房公积金 → ("zhufanggongjijin", "zfgjj")."""
    from pypinyin import Style, lazy_pinyin  # not at import: its data costs ~0.3 s of the cold start

    syl = [normalise(s) for s in lazy_pinyin(text, style=Style.NORMAL, errors="default")]
    syl = [s for s in syl if s]
    return "".join(syl), "".join(s[0] for s in syl)


def is_chinese(query: str) -> bool:
    return bool(_CJK.search(query))


class SearchIndex:
    """Matters ranked by popularity; per field: exact map, sorted list for prefixes, and gram
    postings (1- and 2-grams → ranks in ascending order) for substrings."""

    FIELDS_ZH = ("name",)
    FIELDS_PY = ("full", "initials")

    def __init__(self, matters: Iterable[Matter]):
        self.ranked: list[Matter] = sorted(matters, key=lambda m: (-m.popularity, m.code))
        self.text: dict[str, list[str]] = {"name": [], "full": [], "initials": [], "keywords": []}
        for m in self.ranked:
            full, ini = pinyin_forms(m.name)
            self.text["name"].append(normalise(m.name))
            self.text["full"].append(full)
            self.text["initials"].append(ini)
            kw = [normalise(k) for k in (*m.keywords, m.category)]
            kw += [f for k in (*m.keywords, m.category) for f in pinyin_forms(k)]
            self.text["keywords"].append("|".join(kw))
        self.exact: dict[str, dict[str, list[int]]] = {}
        self.sorted: dict[str, list[tuple[str, int]]] = {}
        self.grams: dict[str, dict[str, list[int]]] = {}
        for field in ("name", "full", "initials", "keywords"):
            ex: dict[str, list[int]] = {}
            grams: dict[str, list[int]] = {}
            for rank, s in enumerate(self.text[field]):
                ex.setdefault(s, []).append(rank)
                seen = set()
                for n in (1, 2):
                    for i in range(len(s) - n + 1):
                        g = s[i:i + n]
                        if g not in seen and "|" not in g:
                            seen.add(g)
                            grams.setdefault(g, []).append(rank)
            self.exact[field] = ex
            self.sorted[field] = sorted((s, r) for r, s in enumerate(self.text[field]))
            self.grams[field] = grams

    def search(self, query: str, *, limit: int = 30, keep: Callable[[Matter], bool] | None = None) -> list[Matter]:
        q = normalise(query)
        if not q:
            return [m for m in self.ranked if keep is None or keep(m)][:limit]
        fields = self.FIELDS_ZH if is_chinese(q) else self.FIELDS_PY
        taken: dict[int, None] = {}  # insertion-ordered set of ranks

        def take(ranks: Iterable[int]) -> bool:
            for r in ranks:
                if r not in taken and (keep is None or keep(self.ranked[r])):
                    taken[r] = None
                    if len(taken) >= limit:
                        return True
            return False

        # 1. exact, 2. prefix (each class in popularity order)
        if take(sorted(r for f in fields for r in self.exact[f].get(q, ()))):
            return self._out(taken)
        prefix: list[int] = []
        for f in fields:
            lst = self.sorted[f]
            i = bisect.bisect_left(lst, (q, -1))
            while i < len(lst) and lst[i][0].startswith(q):
                prefix.append(lst[i][1])
                i += 1
        if take(sorted(prefix)):
            return self._out(taken)
        # 3. substring of the name (or its pinyin), 4. keyword/category
        for group in (fields, ("keywords",)):
            if take(self._substring(q, group)):
                break
        return self._out(taken)

    def _substring(self, q: str, fields: Sequence[str]) -> Iterable[int]:
        streams = []
        for f in fields:
            base = self._postings(q, f)
            if base:  # texts bound now: a generator reads its free variables late (the next field's)
                streams.append(self._containing(q, base, self.text[f]))
        if len(streams) == 1:
            return streams[0]
        import heapq
        return heapq.merge(*streams)

    @staticmethod
    def _containing(q: str, ranks: list[int], texts: list[str]) -> Iterable[int]:
        return (r for r in ranks if q in texts[r])

    def _postings(self, q: str, field: str) -> list[int]:
        grams = self.grams[field]
        if len(q) == 1:
            return grams.get(q, [])
        best: list[int] | None = None
        for i in range(len(q) - 1):
            p = grams.get(q[i:i + 2])
            if not p:
                return []
            if best is None or len(p) < len(best):
                best = p
        return best or []

    def _out(self, taken: dict[int, None]) -> list[Matter]:
        return [self.ranked[r] for r in taken]


def naive_search(matters: Sequence[Matter], query: str, *, limit: int = 30) -> list[Matter]:
    """The baseline the benchmark compares against: pinyin precomputed, then a linear scan that
    classifies every matter and sorts. Same ranking as SearchIndex."""
    q = normalise(query)
    zh = is_chinese(q)
    scored = []
    for m, (name, full, ini, kw) in matters:  # type: ignore[misc]
        hay = (name,) if zh else (full, ini)
        if q in hay:
            c = 0
        elif any(h.startswith(q) for h in hay):
            c = 1
        elif any(q in h for h in hay):
            c = 2
        elif q in kw:
            c = 3
        else:
            continue
        scored.append((c, -m.popularity, m.code, m))
    scored.sort(key=lambda t: t[:3])
    return [t[3] for t in scored[:limit]]


def naive_prepare(matters: Iterable[Matter]) -> list:
    out = []
    for m in matters:
        full, ini = pinyin_forms(m.name)
        kw = "|".join([normalise(k) for k in (*m.keywords, m.category)] +
                      [f for k in (*m.keywords, m.category) for f in pinyin_forms(k)])
        out.append((m, (normalise(m.name), full, ini, kw)))
    return out
