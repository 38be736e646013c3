"""kiosk-admin catalog search / check."""
from __future__ import annotations

import json


def register(sub, groups) -> None:
    g = groups["catalog"]
    p = g.add_parser("search", help="search the catalog by Chinese, full pinyin or pinyin initials",
                     description="Search the catalog of matters like the kiosk's search screen does: Chinese "
                                 "substring, full pinyin (gongjijin) or initials (gjj); exact > prefix > substring, "
                                 "then popularity.")
    p.add_argument("query")
    p.add_argument("--jurisdiction", "-j", help="only this jurisdiction (tongzhou, sanhe, dachang, xianghe, ...)")
    p.add_argument("--audience", choices=("personal", "company"))
    p.add_argument("--category")
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--catalog", help="catalog file (default: the site's catalog, or the sample)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=search)
    c = g.add_parser("check", help="validate a catalog file (exit 0 valid, 2 not)",
                     description="Validate a catalog file: prints a summary, or file:line: key: reason.")
    c.add_argument("file")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=check)


def _catalog_path(args) -> str | None:
    if getattr(args, "catalog", None):
        return args.catalog
    import os

    from kiosk.config import DEFAULT_PATH, load_config

    if args.config or args.demo or os.path.exists(os.environ.get("KIOSK_CONFIG", DEFAULT_PATH)):
        return load_config(args.config, demo=args.demo).active_catalog()
    return None  # no site here: the sample catalog


def search(args) -> int:
    from kiosk import jurisdictions
    from kiosk.catalog import load_catalog
    from kiosk.errors import UsageError

    if args.jurisdiction and not jurisdictions.valid_code(args.jurisdiction):
        raise UsageError(jurisdictions.bad_code(args.jurisdiction))
    cat = load_catalog(_catalog_path(args))
    found = cat.search(args.query, jurisdiction=args.jurisdiction, audience=args.audience,
                       category=args.category, limit=args.limit)
    if args.json:
        print(json.dumps([{"code": m.code, "name": m.name, "jurisdiction": m.jurisdiction, "audience": m.audience,
                           "category": m.category, "kind": m.kind, "offline_ok": m.offline_ok}
                          for m in found], ensure_ascii=False, indent=2))
        return 0
    if not found:
        print(f"no matter matches {args.query!r}")
        return 0
    for m in found:
        print(f"{m.code:<16} {jurisdictions.name_zh(m.jurisdiction):<12} {m.kind:<11} {m.name}")
    return 0


def check(args) -> int:
    from collections import Counter

    from kiosk.catalog import check_catalog_file

    cat = check_catalog_file(args.file)
    by_j = Counter(m.jurisdiction for m in cat.matters)
    if args.json:
        print(json.dumps({"file": args.file, "matters": len(cat), "by_jurisdiction": dict(by_j)}, ensure_ascii=False))
    else:
        print(f"{args.file}: ok: {len(cat)} matters ({', '.join(f'{j} {n}' for j, n in sorted(by_j.items()))})")
    return 0
