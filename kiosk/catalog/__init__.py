"""The catalog of matters each jurisdiction offers, and its search."""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Iterable

from kiosk.catalog.loader import SAMPLE, parse_catalog, read_catalog_file
from kiosk.catalog.model import FormField, Guide, Material, Matter, OperationMapping
from kiosk.catalog.search import SearchIndex

__all__ = ["Catalog", "Matter", "Material", "FormField", "Guide", "OperationMapping", "load_catalog",
           "open_catalog", "check_catalog_file", "parse_catalog", "SAMPLE"]


class Catalog:
    def __init__(self, matters: Iterable[Matter], source: str = "<memory>"):
        self.matters: tuple[Matter, ...] = tuple(matters)
        self.source = source
        self._by_code = {m.code: m for m in self.matters}
        self._index: SearchIndex | None = None
        self._index_lock = threading.Lock()

    @property
    def index(self) -> SearchIndex:
        """Built on first use (a second at 3,600 matters, mostly pypinyin): the app calls warm()
        from a worker thread after its first frame, so no resident waits for it."""
        with self._index_lock:
            if self._index is None:
                self._index = SearchIndex(self.matters)
            return self._index

    def warm(self) -> None:
        self.index  # noqa: B018  (built and kept)

    def __len__(self) -> int:
        return len(self.matters)

    def get(self, code: str) -> Matter:
        return self._by_code[code]

    def search(self, query: str, *, jurisdiction: str | None = None, audience: str | None = None,
               category: str | None = None, limit: int = 30) -> list[Matter]:
        def keep(m: Matter) -> bool:
            return ((jurisdiction is None or m.jurisdiction == jurisdiction)
                    and (audience is None or m.audience == audience)
                    and (category is None or m.category == category))
        filtered = jurisdiction or audience or category
        return self.index.search(query, limit=limit, keep=keep if filtered else None)

    def categories(self, jurisdiction: str | None = None, audience: str | None = None) -> list[str]:
        """Categories by total popularity of their matters."""
        score: dict[str, int] = {}
        for m in self.matters:
            if (jurisdiction is None or m.jurisdiction == jurisdiction) and (audience is None or m.audience == audience):
                score[m.category] = score.get(m.category, 0) + m.popularity + 1
        return sorted(score, key=lambda c: -score[c])

    def popular(self, jurisdiction: str | None = None, n: int = 8) -> list[Matter]:
        return self.search("", jurisdiction=jurisdiction, limit=n)

    def jurisdictions(self) -> list[str]:
        return sorted({m.jurisdiction for m in self.matters})


def open_catalog(path: str | Path | None = None, *, data_folder: str | None = None):
    """What the kiosk starts on: the catalog at `path` (None: the sample) from its compiled index
    (kiosk/catalog/compiled.py), built first if it is missing or stale. Same interface as Catalog."""
    from kiosk.catalog.compiled import open_catalog as _open

    return _open(path, data_folder=data_folder)


def load_catalog(path: str | Path | None = None) -> Catalog:
    """The catalog at `path`, or the sample catalog that ships with the kiosk, parsed, validated
    and held in memory (tools and tests; the kiosk opens the compiled index: open_catalog)."""
    p = Path(path) if path else SAMPLE
    return Catalog(read_catalog_file(p), str(p))


def check_catalog_file(path: str | Path) -> Catalog:
    """Validate a catalog file as `catalog update` would (same size limit); raises
    kiosk.errors.ConfigError with file:line: key: reason."""
    from kiosk.catalog.compiled import INSTALL_MAX, parse_quickly
    from kiosk.inputs import read_text_bounded

    return Catalog(parse_quickly(read_text_bounded(path, INSTALL_MAX, "a catalog"), str(path)), str(path))
