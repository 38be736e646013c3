"""kiosk-admin check-config: validate site config files and the files they name."""
from __future__ import annotations

import json


def register(sub, groups) -> None:
    p = sub.add_parser("check-config", help="validate site config files (exit 0 valid, 2 not)",
                       description="Validate one or more site config files and the files each names (catalog, CA "
                                   "bundle, client certificate and key, credentials, WSDL: present, readable, and "
                                   "what they must be). Prints a one-line summary per valid file; for a bad file, "
                                   "every problem found, one line each: file:line: key: reason.")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--template", action="store_true",
                   help="the files are site templates (deploy/sites/): check them alone, not the files they name, "
                        "which exist only on a provisioned kiosk")
    p.add_argument("--json", action="store_true", help="print the validated config (secrets left out)")
    p.set_defaults(func=check_config)


def check_config(args) -> int:
    import sys

    from kiosk.config import load_config
    from kiosk.errors import ConfigError

    rc = 0
    for path in args.paths:
        try:
            cfg = load_config(path, check_files=not args.template)
        except ConfigError as e:
            for p in getattr(e, "problems", [e]):
                print(f"kiosk-admin: {p}", file=sys.stderr)
            rc = 2
            continue
        from kiosk.cli.backend_cmds import profile_problems  # each jurisdiction's profile against its WSDL
        problems = profile_problems(cfg, template=args.template)
        if problems:
            for p in problems:
                print(f"kiosk-admin: {p}", file=sys.stderr)
            rc = 2
            continue
        if args.json:
            print(json.dumps(cfg.without_secrets(), ensure_ascii=False, indent=2))
        else:
            print(f"{path}: ok: {cfg.summary()}")
    return rc
