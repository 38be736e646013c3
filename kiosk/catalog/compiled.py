"""The compiled catalog: validated once when it is installed, opened at start-up without parsing
or validating the JSON, its matters read lazily.

One SQLite file per catalog version (format INDEX_FORMAT), written atomically (temp file, fsync,
rename) beside the installed catalog (<data>/catalog/versions/<v>.index.sqlite), in
<data>/catalog/index/ for a catalog the config names, or in the user's cache folder for the sample
that ships. It holds:

    m       one row per matter, rowid = its rank (popularity, then code): the search keys
            precomputed (normalised name, full pinyin, initials, keywords with their pinyin), the
            filter attributes and the matter itself as the file's JSON
    t       FTS5 trigram index of name / pinyin / keywords: substrings of 3+ characters, and of
            the filter attributes as one-trigram words (j03 au1 c0c), so a filtered query is one match
    keys    rank lists (ascending) per key: substrings of 1–2 characters and prefixes of 1–4, the
            empty query per jurisdiction × audience × category, the filter attributes; a list keeps
            at most CAP ranks and says whether it is complete (a scan in rank order continues it)
    meta    format, the catalog's sha256, size and mtime, jurisdictions, categories by popularity
            and filter counts per jurisdiction

Start-up reads `meta` only: its cost and memory do not grow with the catalog. An index whose format
or catalog differs (size and mtime first, sha256 when they differ) or that cannot be read is
rebuilt from the catalog; if the catalog cannot be read or validated any more, the kiosk starts on
the index it has (the catalog it was built from), or says which file and why it cannot."""
from __future__ import annotations

import array
import dataclasses
import gc
import hashlib
import json
import logging
import os
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from kiosk import inputs
from kiosk.catalog.codec import matter_from_dict, matter_to_dict
from kiosk.catalog.loader import SAMPLE, parse_catalog
from kiosk.catalog.model import Matter
from kiosk.catalog.search import is_chinese, normalise, pinyin_forms
from kiosk.errors import ConfigError, KioskError
from kiosk.files import fsync_dir

log = logging.getLogger(__name__)

INDEX_FORMAT = f"3-{sys.byteorder}"  # rank lists are native unsigned ints
SHORT = 2  # substrings up to this length: rank lists; longer: the trigram index
PREFIX = 4  # prefixes up to this length: rank lists; longer: the (text, rank) b-tree
CAP = 4096  # ranks kept per key (a longer list is continued by a scan in rank order)
POP_CAP = 256  # ranks kept per empty-query list
AUDIENCES = ("personal", "company")
_ANY = "*"
_CACHE = 4096  # matters kept decoded
# A catalog is read whole only when it is installed (or its index rebuilt), never at start-up.
# Reading and validating holds ~8x the file in memory (measured: 360,000 synthetic matters,
# 204 MB, 1.7 GB peak), so the 256 MiB of kiosk.inputs.CATALOG_MAX is ~2 GB at install. 360,000
# matters of the real catalog's size (~6 MB per 3,600: ~600 MB) is over it: that would need
# validating as a stream.
INSTALL_MAX = inputs.CATALOG_MAX

_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE m(rank INTEGER PRIMARY KEY, ord INTEGER NOT NULL, code TEXT NOT NULL UNIQUE,
               jur INTEGER NOT NULL, aud INTEGER NOT NULL, cat INTEGER NOT NULL,
               name TEXT NOT NULL, full TEXT NOT NULL, initials TEXT NOT NULL, kw TEXT NOT NULL,
               data TEXT NOT NULL);
CREATE TABLE keys(key TEXT PRIMARY KEY, complete INTEGER NOT NULL, ranks BLOB NOT NULL) WITHOUT ROWID;
CREATE VIRTUAL TABLE t USING fts5(name, py, kw, f, tokenize='trigram', content='');
"""
_INDEXES = """
CREATE INDEX m_name ON m(name);
CREATE INDEX m_full ON m(full);
CREATE INDEX m_initials ON m(initials);
ANALYZE;
"""


class IndexProblem(Exception):
    """Why an index cannot be used as it is (it is then rebuilt)."""


@dataclasses.dataclass(frozen=True)
class BuildReport:
    index: str
    matters: int
    seconds: float
    bytes: int


# ---- where ---------------------------------------------------------------------------------------

def beside(catalog_file: str | os.PathLike) -> Path:
    """The index of an installed catalog version: versions/<v>.json -> versions/<v>.index.sqlite."""
    p = Path(catalog_file)
    return p.with_name(p.stem + ".index.sqlite")


def index_path(catalog_file: str | os.PathLike | None, data_folder: str | None = None) -> Path:
    """Where the index of `catalog_file` (None: the sample) lives: beside an installed version,
    under the data folder for another catalog, in the user's cache folder for the sample."""
    real = Path(os.path.realpath(catalog_file or SAMPLE))
    if data_folder:
        versions = Path(os.path.realpath(os.path.join(data_folder, "catalog", "versions")))
        if real.parent == versions:
            return beside(real)
    name = f"{real.stem}-{hashlib.sha256(str(real).encode()).hexdigest()[:16]}.sqlite"
    if data_folder and real != Path(os.path.realpath(SAMPLE)):
        return Path(data_folder) / "catalog" / "index" / name
    from drivers.cachedir import user_cache_dir

    return Path(user_cache_dir("catalog")) / name


# ---- open ----------------------------------------------------------------------------------------

def open_catalog(path: str | os.PathLike | None = None, *, data_folder: str | None = None) -> "CompiledCatalog":
    """The catalog at `path` (None: the sample), from its index; the index is built first when it
    is missing, from another catalog version or format, or unreadable. ConfigError (file: reason)
    when there is neither a usable index nor a catalog it can be built from."""
    real = Path(os.path.realpath(path or SAMPLE))
    idx = index_path(real, data_folder)
    try:
        return _open(idx, real)
    except IndexProblem as why:
        log.info("catalog index %s: %s; building it from %s", idx, why, real)
    try:
        build_index(real, idx)
    except (ConfigError, OSError, sqlite3.Error) as e:
        try:
            old = _open(idx, None)
        except IndexProblem:
            old = None
        if old is None:
            if isinstance(e, ConfigError):
                raise
            raise ConfigError(str(real), f"cannot build the catalog index {idx}: {e}") from None
        log.warning("%s; the kiosk runs on the catalog its index was built from (sha256 %s…, %d matters)",
                    e, old.sha256[:12], len(old))
        return old
    return _open(idx, real)


def _open(idx: Path, catalog: Path | None) -> "CompiledCatalog":
    """Open `idx`; with `catalog`, only if it was built from that file's present content."""
    if not idx.is_file():
        raise IndexProblem("no index yet")
    try:
        conn = sqlite3.connect(idx.resolve().as_uri() + "?mode=ro", uri=True, check_same_thread=False)
    except sqlite3.Error as e:
        raise IndexProblem(f"cannot be opened ({e})") from None
    try:
        meta = dict(conn.execute("SELECT key, value FROM meta"))
        pages = conn.execute("PRAGMA page_count").fetchone()[0] * conn.execute("PRAGMA page_size").fetchone()[0]
        if meta.get("format") != INDEX_FORMAT:
            raise IndexProblem(f"index format {meta.get('format')!r}, this kiosk reads {INDEX_FORMAT!r}")
        if pages != idx.stat().st_size or meta.get("complete") != "1":
            raise IndexProblem("damaged (its size is not what it says)")
        if catalog is not None:
            st = catalog.stat()
            if (st.st_size, st.st_mtime_ns) != (int(meta["size"]), int(meta["mtime_ns"])) \
                    and _sha256_file(catalog) != meta["sha256"]:
                raise IndexProblem("built from another version of the catalog")
        return CompiledCatalog(conn, meta, source=str(catalog or meta["source"]), index_file=str(idx))
    except (sqlite3.Error, KeyError, ValueError, OSError) as e:
        conn.close()
        raise IndexProblem(f"damaged ({e})") from None
    except IndexProblem:
        conn.close()
        raise


def _sha256_file(p: Path) -> str:
    h = hashlib.sha256()
    with open(p, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# ---- build ---------------------------------------------------------------------------------------

def build_index(catalog_file: str | os.PathLike, idx: str | os.PathLike, *,
                limit: int | None = None) -> BuildReport:
    """Read and validate `catalog_file` (ConfigError: file:line: key: reason) and write its index."""
    p = Path(catalog_file)
    st = os.stat(p)
    data = inputs.read_bounded(p, limit or INSTALL_MAX, "a catalog")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ConfigError(str(p), f"not UTF-8 text (byte {e.start})") from None
    matters = parse_quickly(text, str(p))
    del text
    return write_index(matters, idx, source=str(p), sha256=hashlib.sha256(data).hexdigest(),
                       size=st.st_size, mtime_ns=st.st_mtime_ns)


def parse_quickly(text: str, path: str) -> tuple[Matter, ...]:
    """parse_catalog without the cyclic garbage collector: validating builds millions of objects
    and none of them are cycles; each full collection walked all of them (66 µs per matter at
    3,600, 170 µs at 36,000)."""
    was = gc.isenabled()
    gc.disable()
    try:
        return parse_catalog(text, path)
    finally:
        if was:
            gc.enable()


def write_index(matters: Sequence[Matter], idx: str | os.PathLike, *, source: str, sha256: str,
                size: int, mtime_ns: int) -> BuildReport:
    """Write the index of validated `matters` to `idx` atomically (temp file, fsync, rename)."""
    t0 = time.perf_counter()
    idx = Path(idx)
    idx.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    _drop_abandoned(idx)
    fd, tmp = tempfile.mkstemp(dir=str(idx.parent), prefix=f".{idx.name}.", suffix=".building")
    os.close(fd)
    try:
        conn = sqlite3.connect(tmp)
        try:
            conn.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-65536;")
            conn.executescript(_SCHEMA)
            _fill(conn, matters)
            conn.executemany("INSERT INTO meta VALUES (?, ?)", [
                ("format", INDEX_FORMAT), ("source", source), ("sha256", sha256), ("size", str(size)),
                ("mtime_ns", str(mtime_ns)), ("built", time.strftime("%Y-%m-%dT%H:%M:%S%z")), ("complete", "1")])
            conn.commit()
            conn.executescript(_INDEXES)
            conn.commit()
        finally:
            conn.close()
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(tmp, 0o640)
        os.replace(tmp, idx)
        fsync_dir(idx.parent)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return BuildReport(index=str(idx), matters=len(matters), seconds=time.perf_counter() - t0,
                       bytes=idx.stat().st_size)


ABANDONED = 6 * 3600  # seconds: a build's temp file older than this was left by a killed build


def _drop_abandoned(idx: Path) -> None:
    """Temp files of builds that were killed (power cut, kill -9) do not pile up; one that another
    process is writing now is younger than ABANDONED (a 360,000-matter build takes minutes)."""
    now = time.time()
    for p in idx.parent.glob(f".{idx.name}.*.building"):
        try:
            if now - p.stat().st_mtime > ABANDONED:
                p.unlink()
        except OSError:
            pass


class _Lists:
    """Rank lists under construction: at most `cap` ranks per key, ascending, no repeats."""

    def __init__(self, cap: int):
        self.cap, self.ranks, self.more = cap, {}, set()

    def add(self, key: str, rank: int) -> None:
        lst = self.ranks.get(key)
        if lst is None:
            self.ranks[key] = array.array("I", (rank,))
        elif lst[-1] != rank:
            if len(lst) < self.cap:
                lst.append(rank)
            else:
                self.more.add(key)

    def rows(self) -> Iterator[tuple[str, int, bytes]]:
        for key, lst in self.ranks.items():
            yield key, int(key not in self.more), lst.tobytes()


def _keys_text(m: Matter) -> tuple[str, str, str, str]:
    full, ini = pinyin_forms(m.name)
    kw = [normalise(k) for k in (*m.keywords, m.category)]
    kw += [f for k in (*m.keywords, m.category) for f in pinyin_forms(k)]
    return normalise(m.name), full, ini, "|".join(kw)


def _grams(text: str) -> set[str]:
    out = set()
    for n in range(1, SHORT + 1):
        for i in range(len(text) - n + 1):
            g = text[i:i + n]
            if "|" not in g:
                out.add(g)
    return out


def _fill(conn: sqlite3.Connection, matters: Sequence[Matter]) -> None:
    jurs = sorted({m.jurisdiction for m in matters})
    cats: list[str] = list(dict.fromkeys(m.category for m in matters))
    jnum, cnum = {j: i for i, j in enumerate(jurs)}, {c: i for i, c in enumerate(cats)}
    ords = {id(m): i for i, m in enumerate(matters)}
    ranked = sorted(matters, key=lambda m: (-m.popularity, m.code))
    lists, pops = _Lists(CAP), _Lists(POP_CAP)
    attrs = {k: array.array("H") for k in ("jur", "aud", "cat")}

    def rows():
        for rank, m in enumerate(ranked):
            name, full, ini, kw = _keys_text(m)
            py = f"{full}|{ini}"
            for g, text in (("n", name), ("p", py), ("k", kw)):
                for gram in _grams(text):
                    lists.add(f"s{g}:{gram}", rank)
            for n in range(1, PREFIX + 1):
                if len(name) >= n:
                    lists.add(f"pn:{name[:n]}", rank)
                for t in (full, ini):
                    if len(t) >= n:
                        lists.add(f"pp:{t[:n]}", rank)
            j, a, c = jnum[m.jurisdiction], AUDIENCES.index(m.audience), cnum[m.category]
            for jk in (str(j), _ANY):
                for ak in (str(a), _ANY):
                    for ck in (str(c), _ANY):
                        pops.add(f"e:{jk}:{ak}:{ck}", rank)
            attrs["jur"].append(j)
            attrs["aud"].append(a)
            attrs["cat"].append(c)
            data = json.dumps(matter_to_dict(m), ensure_ascii=False, separators=(",", ":"))
            yield rank, ords[id(m)], m.code, j, a, c, name, full, ini, kw, data, py

    cur = conn.cursor()
    batch = []
    for r in rows():
        batch.append(r)
        if len(batch) >= 2000:
            _flush(cur, batch)
            batch = []
    _flush(cur, batch)
    cur.executemany("INSERT INTO keys VALUES (?, ?, ?)", lists.rows())
    cur.executemany("INSERT INTO keys VALUES (?, ?, ?)", pops.rows())
    cur.executemany("INSERT INTO keys VALUES (?, 1, ?)", ((f"@{k}", a.tobytes()) for k, a in attrs.items()))

    # categories by total popularity (ties: first seen in the file), per jurisdiction × audience
    score: dict[tuple[str, str], dict[str, int]] = {}
    counts: dict[str, dict[str, int]] = {}
    for m in matters:
        for jk in (m.jurisdiction, _ANY):
            c = counts.setdefault(jk, {})
            c[m.category] = c.get(m.category, 0) + 1
            for ak in (m.audience, _ANY):
                s = score.setdefault((jk, ak), {})
                s[m.category] = s.get(m.category, 0) + m.popularity + 1
    meta = [("matters", str(len(matters))), ("jurisdictions", json.dumps(jurs, ensure_ascii=False)),
            ("category_names", json.dumps(cats, ensure_ascii=False))]
    meta += [(f"categories:{j}:{a}", json.dumps(sorted(s, key=lambda c, s=s: -s[c]), ensure_ascii=False))
             for (j, a), s in score.items()]
    meta += [(f"counts:{j}", json.dumps(c, ensure_ascii=False)) for j, c in counts.items()]
    cur.executemany("INSERT INTO meta VALUES (?, ?)", meta)


def _flush(cur: sqlite3.Cursor, batch: list) -> None:
    cur.executemany("INSERT INTO m VALUES (?,?,?,?,?,?,?,?,?,?,?)", (r[:11] for r in batch))
    cur.executemany("INSERT INTO t(rowid, name, py, kw, f) VALUES (?,?,?,?,?)",
                    ((r[0], r[6], r[11], r[9], _filter_words(r[3], r[4], r[5])) for r in batch))


def _filter_words(j: int, a: int, c: int) -> str:
    """The filter attributes as words of exactly 3 characters, each one trigram (a longer word
    would be a phrase of common trigrams to check position by position), each starting with its
    own letter so none is found inside another: j + jurisdiction, au + audience, c + category
    (two base-36 digits: 1,296 values; beyond, that filter is applied row by row)."""
    return f"j{_b36(j)} au{a:d} c{_b36(c)}"


def _b36(n: int) -> str:
    d = "0123456789abcdefghijklmnopqrstuvwxyz"
    return d[n // 36] + d[n % 36] if n < 36 * 36 else "~~"


def _filter_match(j: int | None, a: int | None, c: int | None) -> str:
    words = _filter_words(j or 0, a or 0, c or 0).split()
    return "".join(f' AND f : "{w}"' for w, v in zip(words, (j, a, c)) if v is not None and "~" not in w)


# ---- the catalog ---------------------------------------------------------------------------------

class CompiledCatalog:
    """The Catalog interface (kiosk.catalog.Catalog) over an index: get, search, popular,
    categories, jurisdictions, len, matters. Safe to share between threads."""

    def __init__(self, conn: sqlite3.Connection, meta: dict[str, str], *, source: str, index_file: str):
        self._conn, self._meta = conn, meta
        self.source, self.index_file = source, index_file
        self.sha256 = meta["sha256"]
        self._n = int(meta["matters"])
        self._jurs: list[str] = json.loads(meta["jurisdictions"])
        self._cats: list[str] = json.loads(meta["category_names"])
        self._jnum = {j: i for i, j in enumerate(self._jurs)}
        self._cnum = {c: i for i, c in enumerate(self._cats)}
        self._lock = threading.RLock()
        self._attrs: dict[str, array.array] | None = None
        self._by_rank: dict[int, Matter] = {}
        self._all: tuple[Matter, ...] | None = None

    # -- the Catalog interface
    def __len__(self) -> int:
        return self._n

    @property
    def index(self) -> "CompiledCatalog":
        return self

    def warm(self) -> None:
        """The filter attributes (6 bytes a matter) and the first pages of the index."""
        with self._lock:
            self._attributes()
            self.search("", limit=8)

    @property
    def matters(self) -> tuple[Matter, ...]:
        """Every matter, in the file's order (reads them all: for tools and tests, not the kiosk)."""
        with self._lock:
            if self._all is None:
                self._all = tuple(matter_from_dict(json.loads(d))
                                  for (d,) in self._q("SELECT data FROM m ORDER BY ord"))
            return self._all

    def get(self, code: str) -> Matter:
        with self._lock:
            row = self._q("SELECT rank, data FROM m WHERE code = ?", (code,)).fetchone()
            if row is None:
                raise KeyError(code)
            return self._decoded(row[0], row[1])

    def jurisdictions(self) -> list[str]:
        return list(self._jurs)

    def categories(self, jurisdiction: str | None = None, audience: str | None = None) -> list[str]:
        """Categories by total popularity of their matters (precomputed)."""
        v = self._meta.get(f"categories:{jurisdiction or _ANY}:{audience or _ANY}")
        return json.loads(v) if v else []

    def counts(self, jurisdiction: str | None = None) -> dict[str, int]:
        """How many matters each category holds (in `jurisdiction`): the filters' counts."""
        v = self._meta.get(f"counts:{jurisdiction or _ANY}")
        return json.loads(v) if v else {}

    def popular(self, jurisdiction: str | None = None, n: int = 8) -> list[Matter]:
        return self.search("", jurisdiction=jurisdiction, limit=n)

    def search(self, query: str, *, jurisdiction: str | None = None, audience: str | None = None,
               category: str | None = None, limit: int = 30) -> list[Matter]:
        """As kiosk.catalog.search.SearchIndex: exact > prefix > substring of the name (Chinese) or
        its pinyin / initials, then keywords and category; each class by popularity."""
        try:
            j = None if jurisdiction is None else self._jnum[jurisdiction]
            a = None if audience is None else AUDIENCES.index(audience)
            c = None if category is None else self._cnum[category]
        except (KeyError, ValueError):
            return []  # a filter no matter passes
        if limit <= 0:
            return []
        with self._lock:
            q = normalise(query)
            ranks = self._empty(j, a, c, limit) if not q else \
                self._ranks(q, self._keep(j, a, c), limit, _filter_match(j, a, c))
            return self._fetch(ranks)

    # -- internals
    def _q(self, sql: str, args: Sequence = ()) -> sqlite3.Cursor:
        try:
            return self._conn.execute(sql, args)
        except (sqlite3.ProgrammingError, sqlite3.InterfaceError):
            raise  # our own misuse (a closed connection, a bad binding): the file is fine
        except sqlite3.DatabaseError as e:
            raise self._damaged(e) from None

    def _damaged(self, e: Exception) -> KioskError:
        """An index that fails under a query is removed, so the next start builds it again."""
        log.error("catalog index %s: %s; removed, the next start rebuilds it", self.index_file, e)
        try:
            os.unlink(self.index_file)
        except OSError:
            pass
        return KioskError(f"{self.index_file}: catalog index damaged ({e}); restart the kiosk to rebuild it")

    def _list(self, key: str) -> tuple[bool, array.array]:
        row = self._q("SELECT complete, ranks FROM keys WHERE key = ?", (key,)).fetchone()
        out = array.array("I")
        if row is None:
            return True, out
        out.frombytes(row[1])
        return bool(row[0]), out

    def _attributes(self) -> dict[str, array.array]:
        if self._attrs is None:
            attrs = {}
            for k in ("jur", "aud", "cat"):
                row = self._q("SELECT ranks FROM keys WHERE key = ?", (f"@{k}",)).fetchone()
                attrs[k] = array.array("H")
                attrs[k].frombytes(row[0])
            self._attrs = attrs
        return self._attrs

    def _keep(self, j: int | None, a: int | None, c: int | None) -> Callable[[int], bool] | None:
        if j is None and a is None and c is None:
            return None
        at = self._attributes()
        tests = [(at[k], v) for k, v in (("jur", j), ("aud", a), ("cat", c)) if v is not None]
        if len(tests) == 1:
            col, v = tests[0]
            return lambda r: col[r] == v
        return lambda r: all(col[r] == v for col, v in tests)

    def _empty(self, j: int | None, a: int | None, c: int | None, limit: int) -> list[int]:
        key = ":".join(_ANY if v is None else str(v) for v in (j, a, c))
        complete, ranks = self._list(f"e:{key}")
        out = list(ranks[:limit])
        if len(out) < limit and not complete:
            where = " AND ".join(f"{col} = {v:d}" for col, v in (("jur", j), ("aud", a), ("cat", c)) if v is not None)
            out += [r for (r,) in self._q(f"SELECT rank FROM m WHERE rank > ? {'AND ' + where if where else ''} "
                                          "ORDER BY rank LIMIT ?", (out[-1] if out else -1, limit - len(out)))]
        return out

    def _ranks(self, q: str, keep: Callable[[int], bool] | None, limit: int, flt: str = "") -> list[int]:
        taken: dict[int, None] = {}

        def take(ranks: Iterable[int]) -> bool:
            for r in ranks:
                if r not in taken and (keep is None or keep(r)):
                    taken[r] = None
                    if len(taken) >= limit:
                        return True
            return False

        g = "n" if is_chinese(q) else "p"
        if g == "n":
            exact = [r for (r,) in self._q("SELECT rank FROM m WHERE name = ?", (q,))]
        else:
            exact = [r for (r,) in self._q("SELECT rank FROM m WHERE full = ? UNION SELECT rank FROM m "
                                           "WHERE initials = ?", (q, q))]
        if take(sorted(exact)) or take(self._prefix(q, g)):
            return list(taken)
        for group in (g, "k"):
            if take(self._substring(q, group, flt)):
                break
        return list(taken)

    def _prefix(self, q: str, g: str) -> Iterator[int]:
        cols = ("name",) if g == "n" else ("full", "initials")
        if len(q) <= PREFIX:
            complete, ranks = self._list(f"p{g}:{q}")
            yield from ranks
            if not complete:
                cond = " OR ".join(f"substr({c}, 1, {len(q):d}) = ?1" for c in cols)
                yield from (r for (r,) in self._q(f"SELECT rank FROM m WHERE rank > ?2 AND ({cond}) ORDER BY rank",
                                                  (q, ranks[-1])))
            return
        hi = q[:-1] + chr(ord(q[-1]) + 1)
        sql = " UNION ".join(f"SELECT rank FROM m WHERE {c} >= ?1 AND {c} < ?2" for c in cols)
        yield from sorted(r for (r,) in self._q(sql, (q, hi)))

    def _substring(self, q: str, g: str, flt: str = "") -> Iterator[int]:
        if len(q) <= SHORT:
            complete, ranks = self._list(f"s{g}:{q}")
            yield from ranks
            if not complete:
                cond = {"n": "instr(name, ?1)", "p": "instr(full, ?1) OR instr(initials, ?1)", "k": "instr(kw, ?1)"}[g]
                yield from (r for (r,) in self._q(f"SELECT rank FROM m WHERE rank > ?2 AND ({cond}) ORDER BY rank",
                                                  (q, ranks[-1])))
            return
        col = {"n": "name", "p": "py", "k": "kw"}[g]
        match = f'{col} : "{q}"{flt}'  # the filters in the match: no row read to be dropped
        yield from (r for (r,) in self._q("SELECT rowid FROM t WHERE t MATCH ? ORDER BY rowid", (match,)))

    def _decoded(self, rank: int, data: str) -> Matter:
        m = self._by_rank.get(rank)
        if m is None:
            if len(self._by_rank) >= _CACHE:
                self._by_rank.clear()
            m = self._by_rank[rank] = matter_from_dict(json.loads(data))
        return m

    def _fetch(self, ranks: list[int]) -> list[Matter]:
        got = {r: self._by_rank[r] for r in ranks if r in self._by_rank}
        missing = [r for r in ranks if r not in got]
        if missing:
            marks = ",".join("?" * len(missing))
            for r, d in self._q(f"SELECT rank, data FROM m WHERE rank IN ({marks})", missing):
                got[r] = self._decoded(r, d)
        return [got[r] for r in ranks]
