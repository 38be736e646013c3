"""`kiosk-admin`, the technician's tool. Never imports Kivy: it runs on a console with no display.

Exit codes: 0 ok; 1 the operation or a device failed; 2 bad usage or bad input. A failure prints
one line on stderr; never a traceback (unless KIOSK_DEBUG=1)."""
from __future__ import annotations

import argparse
import importlib
import os
import sys

from kiosk.errors import ConfigError, KioskError, UsageError

# Each module adds its subcommands: register(sub, groups) where groups holds the shared
# sub-parsers of "sim", "catalog" and "queue".
COMMAND_MODULES = (
    "kiosk.cli.config_cmds",
    "kiosk.cli.catalog_cmds",
    "kiosk.cli.identify_cmds",
    "kiosk.cli.printing_cmds",
    "kiosk.cli.queue_cmds",
    "kiosk.cli.field_cmds",
    "kiosk.cli.backend_cmds",
    "kiosk.cli.evaluation_cmds",
)


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's exit 2, with our one-line style
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: {message}\n")
        sys.exit(2)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="kiosk-admin", description="区域通办 kiosk: the technician's tool")
    p.add_argument("--config", help="site config (default: $KIOSK_CONFIG or /etc/kiosk/kiosk.toml; the demo site with --demo)")
    p.add_argument("--demo", action="store_true", help="use the embedded demo site")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    groups = {}
    for name, helptext in (("sim", "run a simulated device or jurisdiction"),
                           ("catalog", "search, check and update the catalog of matters"),
                           ("queue", "the outbox: status, list, show, retry, forward, backup")):
        g = sub.add_parser(name, help=helptext)
        gs = g.add_subparsers(dest=f"{name}_command", metavar="SUBCOMMAND", parser_class=_Parser)
        gs.required = True
        groups[name] = gs
    for modname in COMMAND_MODULES:
        try:
            mod = importlib.import_module(modname)
        except ModuleNotFoundError as e:
            if e.name == modname:  # a command group not built yet
                continue
            raise
        mod.register(sub, groups)
    return p


def main(argv: list[str] | None = None) -> int:
    from kiosk.logs import setup_logging

    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging(console=True, level=os.environ.get("KIOSK_LOG_LEVEL", "WARNING"))
    try:
        rc = args.func(args)
        return 0 if rc is None else int(rc)
    except (ConfigError, UsageError) as e:
        print(f"kiosk-admin: {e}", file=sys.stderr)
        return 2
    except KioskError as e:
        print(f"kiosk-admin: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as e:  # a programming error: one line, the detail with KIOSK_DEBUG=1
        if os.environ.get("KIOSK_DEBUG"):
            raise
        print(f"kiosk-admin: internal error: {type(e).__name__}: {e} (KIOSK_DEBUG=1 shows the traceback)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
