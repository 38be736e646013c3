"""A Matter as a plain dict and back: the catalog file's own shape (format 1), so what the compiled
index stores per matter reads like the file, and a synthetic catalog can be written as a file.
`matter_from_dict` does not validate: it reads only what the loader validated when the index was
built."""
from __future__ import annotations

from typing import Any

from kiosk.catalog.model import FormField, Guide, Material, Matter, OperationMapping

_GUIDE_KEYS = tuple(Guide.__dataclass_fields__)
_MATERIAL_KEYS = tuple(Material.__dataclass_fields__)
_FIELD_KEYS = tuple(FormField.__dataclass_fields__)


def matter_to_dict(m: Matter) -> dict[str, Any]:
    d: dict[str, Any] = {
        "code": m.code, "name": m.name, "jurisdiction": m.jurisdiction, "audience": m.audience,
        "category": m.category, "kind": m.kind, "offline_ok": m.offline_ok,
        "guide": {k: getattr(m.guide, k) for k in _GUIDE_KEYS},
        "materials": [{k: getattr(x, k) for k in _MATERIAL_KEYS} for x in m.materials],
        "fields": [_field(f) for f in m.fields],
        "mapping": {"operation": m.mapping.operation, "fields": dict(m.mapping.fields)},
        "accepts": list(m.accepts), "keywords": list(m.keywords), "popularity": m.popularity,
        "delivery": list(m.delivery),
    }
    if m.name_en:
        d["name_en"] = m.name_en
    if m.mapping.status_operation is not None:
        d["mapping"]["status_operation"] = m.mapping.status_operation
    if m.remote_code is not None:
        d["remote_code"] = m.remote_code
    return d


def _field(f: FormField) -> dict[str, Any]:
    d = {k: getattr(f, k) for k in _FIELD_KEYS}
    d["choices"] = list(f.choices)
    if d["pattern"] is None:
        del d["pattern"]
    return d


def matter_from_dict(d: dict[str, Any]) -> Matter:
    mp = d["mapping"]
    return Matter(
        code=d["code"], name=d["name"], name_en=d.get("name_en", ""), jurisdiction=d["jurisdiction"],
        audience=d["audience"], category=d["category"], kind=d["kind"], offline_ok=d["offline_ok"],
        guide=Guide(**d["guide"]), materials=tuple(Material(**x) for x in d["materials"]),
        fields=tuple(FormField(**{**f, "choices": tuple(f["choices"])}) for f in d["fields"]),
        mapping=OperationMapping(operation=mp["operation"], fields=mp["fields"],
                                 status_operation=mp.get("status_operation")),
        accepts=tuple(d["accepts"]), keywords=tuple(d["keywords"]), popularity=d["popularity"],
        delivery=tuple(d["delivery"]), remote_code=d.get("remote_code"))
