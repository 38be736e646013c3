"""kiosk-desk: serve the clerk's console, or add a clerk.

    kiosk-desk [--config /etc/kiosk-desk/desk.toml] [--listen HOST:PORT]
    kiosk-desk add-clerk LOGIN --name NAME --desk DESK [--desk DESK …] [--password-stdin]
                         [--clerks FILE | --config desk.toml]

add-clerk asks the password twice on the terminal (or reads one line from stdin with
--password-stdin), and writes the clerk into the clerks file (mode 0600; an existing login gets
the new name, desks and password). Exit codes as kiosk-admin: 0 done, or stopped cleanly
(SIGTERM, Ctrl-C); 1 cannot serve or write (the address is taken, janus.js or adapter.js not
installed, a file unreadable); 2 bad usage or a bad config/clerks file (`file:line: key: reason`).
One line on stderr; the server then logs logins on stderr (never a password or a token)."""
from __future__ import annotations

import argparse
import getpass
import logging
import signal
import sys
import threading

from kiosk.desk.clerks import add_clerk, password_problem
from kiosk.desk.config import DEFAULT_PATH, load_desk_config
from kiosk.errors import ConfigError


class _Usage(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2
        print(f"{self.prog}: {message}", file=sys.stderr)
        raise SystemExit(2)


def _say(msg: str) -> None:
    print(f"kiosk-desk: {msg}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["add-clerk"]:
        return _add_clerk(argv[1:])
    return _serve(argv)


def _serve(argv: list[str]) -> int:
    p = _Usage(prog="kiosk-desk", description="The 视频帮办 clerk's console (a web page with clerk login). "
                                              "`kiosk-desk add-clerk --help` adds a clerk.")
    p.add_argument("--config", default=DEFAULT_PATH, help=f"the console's TOML config (default {DEFAULT_PATH})")
    p.add_argument("--listen", help="HOST:PORT, overriding the config's listen (port 0: any)")
    a = p.parse_args(argv)
    try:
        cfg = load_desk_config(a.config)
    except ConfigError as e:
        _say(str(e))
        return 2
    host, port = cfg.host, cfg.port
    if a.listen is not None:
        h, _, pt = a.listen.rpartition(":")
        if not h or not pt.isdigit() or not 0 <= int(pt) <= 65535:
            _say(f"--listen must be HOST:PORT, not {a.listen!r}")
            return 2
        host, port = h.strip("[]"), int(pt)

    from kiosk.desk.server import DeskServer, missing
    gone = missing()
    if gone:
        _say(f"not installed: {', '.join(gone)} (Debian libjs-janus-gateway, libjs-webrtc-adapter)")
        return 1
    try:
        server = DeskServer(cfg, host=host, port=port)
    except ConfigError as e:
        _say(str(e))
        return 2
    except OSError as e:
        _say(f"cannot listen on {host}:{port} or read a TLS file: {e.strerror or e}")
        return 1
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    server.start()
    print(f"kiosk-desk: serving {server.url}", flush=True)
    stop.wait()
    server.close()
    return 0


def _add_clerk(argv: list[str]) -> int:
    p = _Usage(prog="kiosk-desk add-clerk", description="Add a clerk (or set an existing clerk's name, desks "
                                                        "and password) in the clerks file.")
    p.add_argument("login", help="1-32 of a-z 0-9 _ -")
    p.add_argument("--name", required=True, help="the display name (shown in the console)")
    p.add_argument("--desk", action="append", required=True, help="a desk (VideoRoom room) whose queue the clerk "
                                                                 "sees; repeat for several")
    p.add_argument("--password-stdin", action="store_true", help="read the password from one line of stdin")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--clerks", help="the clerks file")
    where.add_argument("--config", help=f"take the clerks file from this config (default {DEFAULT_PATH})")
    a = p.parse_args(argv)
    path = a.clerks
    if path is None:
        try:
            path = load_desk_config(a.config or DEFAULT_PATH).clerks
        except ConfigError as e:
            _say(f"{e} (or name the clerks file with --clerks)")
            return 2
    if a.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        try:
            password = getpass.getpass("Password for %s: " % a.login)
            if password != getpass.getpass("Again: "):
                _say("the two passwords differ; nothing written")
                return 2
        except (EOFError, KeyboardInterrupt):
            _say("no password given; nothing written")
            return 2
    problem = password_problem(password)
    if problem:
        _say(f"{problem}; nothing written")
        return 2
    try:
        new = add_clerk(path, a.login, a.name, a.desk, password)
    except ValueError as e:
        _say(f"{e}; nothing written")
        return 2
    except ConfigError as e:
        _say(f"{e}; nothing written")
        return 2
    except OSError as e:
        _say(f"cannot write {path}: {e.strerror or e}")
        return 1
    print(f"kiosk-desk: {'added' if new else 'updated'} {a.login} in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
