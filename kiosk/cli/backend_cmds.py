"""kiosk-admin backend render|ping and progress: a jurisdiction's back end seen from the console,
through its interface profile — the exact request a submission puts on the wire, whether the
back end can be reached (DNS, TCP, TLS, credentials, the status operation), an item's progress.
And profile_problems(), which `check-config` calls: each jurisdiction's profile proven against
its WSDL."""
from __future__ import annotations

import json
import os
import re
import sys
import uuid


def register(sub, groups) -> None:
    b = sub.add_parser("backend", help="a jurisdiction's back end: render a request, ping it")
    bs = b.add_subparsers(dest="backend_command", metavar="SUBCOMMAND", parser_class=sub._parser_class)
    bs.required = True
    p = bs.add_parser("render", help="print the exact SOAP envelope or HTTP request a submission would send",
                      description="Render, without sending, what a submission of MATTER puts on the wire to its "
                                  "jurisdiction, through the jurisdiction's interface profile: the SOAP envelope(s) "
                                  "or HTTP request(s), uploads first. Personal values are masked unless "
                                  "--show-personal; credentials always are.")
    p.add_argument("code", metavar="CODE", help="the jurisdiction (its code in the site config)")
    p.add_argument("--matter", required=True, metavar="M", help="the matter's code in the catalog")
    p.add_argument("--identity", required=True, metavar="F.json", help="the resident, as `read-id --json` prints it")
    p.add_argument("--field", action="append", default=[], metavar="K=V", help="a form value (repeatable)")
    p.add_argument("--attach", action="append", default=[], metavar="MAT=FILE", help="a material's PDF (repeatable)")
    p.add_argument("--delivery", choices=("pickup", "mail"), default="pickup")
    p.add_argument("--show-personal", action="store_true", help="print names, numbers and scans as they are")
    p.set_defaults(func=cmd_render)

    p = bs.add_parser("ping", help="check DNS, TCP, TLS, credentials and the status operation of a back end",
                      description="Check, step by step, that the jurisdiction's back end can be used: the files "
                                  "the site config names, the profile, DNS, TCP, TLS (the jurisdiction's CA, the "
                                  "client certificate), then the credentials and the status operation (a query for "
                                  "an id the back end cannot know). Says which step failed and how to fix it; exit 1.")
    p.add_argument("code", metavar="CODE")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_ping)

    p = sub.add_parser("progress", help="ask the jurisdiction for an item's status, as the progress screen does",
                       description="The remote status of an outbox item (by transaction id or tracking number), "
                                   "asked of its jurisdiction exactly as the progress screen asks: status, reason, "
                                   "reference. Without the network: the last known status.")
    p.add_argument("ident", metavar="ID|TRACKING")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_progress)


# ---- check-config ---------------------------------------------------------------------------
def backend_files(jc) -> tuple[str | None, str | None]:
    """(profile, wsdl) of a jurisdiction: a sim:// endpoint uses its simulated back end's own."""
    from offline_queue.profile import LEGACY
    profile, wsdl = jc.profile, jc.wsdl
    if jc.endpoint.startswith("sim://"):
        kind = jc.endpoint[6:]
        here = os.path.join(os.path.dirname(__import__("offline_queue").__file__), "sim")
        if kind == "nested-soap":
            wsdl = wsdl or os.path.join(here, "backends", "nested-soap.wsdl")
        elif kind == "soap":
            wsdl = wsdl or os.path.join(here, "jurisdiction.wsdl")
        if not profile and kind not in ("rest", "soap"):
            profile = os.path.join(here, "backends", f"{kind}.toml")
    return profile or LEGACY[jc.protocol], wsdl


def profile_problems(cfg, *, template: bool = False) -> list[str]:
    """Every problem of every jurisdiction's interface profile (and, SOAP, against its WSDL), one
    `file:line: path: reason` line each. Template sites (deploy/sites/) name files that exist only
    on a provisioned kiosk: those that are missing there are left out."""
    from offline_queue.profile_check import check_profile

    out: list[str] = []
    for code, jc in cfg.jurisdictions.items():
        profile, wsdl = backend_files(jc)
        if template and (not os.path.exists(profile) or (wsdl and not os.path.exists(wsdl))):
            continue
        if jc.profile and not os.path.exists(jc.profile):
            out.append(f"{cfg.path}:{_line_of(cfg.path, code, 'profile')}: jurisdictions.{code}.profile: "
                       f"no such file {jc.profile}")
            continue
        out += check_profile(profile, wsdl if jc.protocol == "soap" else None, protocol=jc.protocol)
    return out


def _line_of(path: str, code: str, key: str) -> int:
    """The line of `key =` in [jurisdictions.<code>] of a config file (1 when not found)."""
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except OSError:
        return 1
    inside = False
    for n, line in enumerate(lines, 1):
        s = line.strip()
        if s.startswith("["):
            inside = s.replace(" ", "") in (f"[jurisdictions.{code}]", f'[jurisdictions."{code}"]')
        elif inside and re.match(rf"{key}\s*=", s):
            return n
    return 1


# ---- shared ---------------------------------------------------------------------------------
def _config(args):
    from kiosk.config import load_config
    return load_config(getattr(args, "config", None), demo=getattr(args, "demo", False))


def _jurisdiction(cfg, code: str):
    from kiosk.errors import UsageError
    jc = cfg.jurisdictions.get(code)
    if jc is None:
        raise UsageError(f"backend: no jurisdiction {code!r} in {cfg.path} (it has {', '.join(cfg.jurisdictions)})")
    return jc


class _Backend:
    """The transport for a jurisdiction; for a sim:// endpoint, its simulated back end started
    for the command's duration (as the demo kiosk does)."""

    def __init__(self, jc, *, start_sim: bool):
        import dataclasses

        from kiosk.outbox import endpoint_for
        from offline_queue.transports import make_transport

        self.sim = None
        ep = endpoint_for(jc)
        profile, wsdl = backend_files(jc)
        if jc.endpoint.startswith("sim://"):
            url = "http://127.0.0.1:9/"
            if start_sim:
                from offline_queue.sim import SimulatedJurisdiction
                self.sim = SimulatedJurisdiction(jc.endpoint[6:], jc.code).start()
                url = self.sim.url
            ep = dataclasses.replace(ep, url=url, wsdl=wsdl, profile=profile)
        self.endpoint = ep
        self.transport = make_transport(ep)

    def close(self) -> None:
        self.transport.close()
        if self.sim is not None:
            self.sim.stop()


_B64 = re.compile(r"[A-Za-z0-9+/=\r\n]{160,}")


def _shorten(text: str) -> str:
    """Long base64 runs (a scan inside an envelope or a JSON body) cut to their first characters."""
    return _B64.sub(lambda m: m.group(0)[:60] + f"…({len(m.group(0))} characters of base64)", text)


_SECRET_XML = re.compile(r"(<(?:\w+:)?(?:Password|Nonce)\b[^>]*>)[^<]*(</)")
_SECRET_HEADERS = ("authorization", "x-api-key", "appkey", "api-key", "cookie")


# ---- render ---------------------------------------------------------------------------------
def cmd_render(args) -> int:
    from kiosk.catalog import load_catalog
    from kiosk.cli.submit_input import build_application
    from kiosk.errors import KioskError, UsageError
    from kiosk.outbox import build_request
    from offline_queue.profile import personal_mask
    from offline_queue.types import AttachmentRef, OutboxError

    cfg = _config(args)
    jc = _jurisdiction(cfg, args.code)
    catalog = load_catalog(cfg.active_catalog())
    try:
        matter = catalog.get(args.matter)
    except KeyError:
        raise UsageError(f"backend render: unknown matter {args.matter!r}") from None
    if matter.jurisdiction != jc.code:
        raise UsageError(f"backend render: {matter.code} belongs to {matter.jurisdiction}, not {jc.code}")
    if matter.kind == "query":
        raise UsageError(f"backend render: {matter.code} is a query matter: it is asked, never submitted")
    tx = build_application(matter, identity_path=args.identity, fields=args.field, attach=args.attach,
                           delivery_method=args.delivery, kiosk_id=cfg.kiosk_id)
    try:
        request = build_request(tx, matter)
    except ValueError as e:
        raise KioskError(f"catalog: {matter.code}: {e}") from None
    files = {}
    refs = []
    for a in tx.attachments:
        ref = AttachmentRef(a.material, a.sha256, a.size)
        refs.append(ref)
        files[a.sha256] = a.path
    import dataclasses
    request = dataclasses.replace(request, attachments=tuple(refs))

    def read(ref):
        with open(files[ref.sha256], "rb") as f:
            return f.read()

    mask = None if args.show_personal else personal_mask
    if mask:
        print("# personal values masked (--show-personal shows them); a scan shows as <N bytes>; credentials never shown")
    backend = _Backend(jc, start_sim=False)
    if jc.endpoint.startswith("sim://"):
        print(f"# {jc.endpoint}: the simulated back end takes a free port when it starts; 127.0.0.1:9 stands for it")
    try:
        t = backend.transport
        if jc.protocol == "soap":
            calls = t.render_submit(request, read, mask=mask)
            envelopes = t.envelopes(calls)
            for (op, _), env in zip(calls, envelopes):
                text = _SECRET_XML.sub(r"\1********\2", env.decode("utf-8"))
                print(f"POST {backend.endpoint.url}  (operation {op})")
                print(_shorten(text))
        else:
            for prep in t.render_submit(request, read, mask=mask):
                print(f"{prep.method} {prep.url}")
                for k, v in prep.headers.items():
                    print(f"{k}: {'********' if k.lower() in _SECRET_HEADERS else v}")
                print()
                body = prep.body or b""
                if isinstance(body, str):
                    body = body.encode("utf-8")
                print(_shorten(_printable(body, prep.headers.get("Content-Type", ""))))
                print()
    except OutboxError as e:
        raise KioskError(f"backend render: {e}") from None
    finally:
        backend.close()
    return 0


def _printable(body: bytes, ctype: str) -> str:
    """A body as text: JSON pretty-printed, binary file parts as <N bytes>."""
    if ctype.startswith("application/json"):
        try:
            return json.dumps(json.loads(body), ensure_ascii=False, indent=2)
        except ValueError:
            pass
    if ctype.startswith("multipart/"):
        out = []
        boundary = ctype.split("boundary=", 1)[-1].encode()
        for part in body.split(b"--" + boundary):
            head, _, content = part.partition(b"\r\n\r\n")
            if not head.strip() or head.strip() == b"--":
                continue
            htext = head.decode("latin-1", "replace").strip()
            if b"filename=" in head:
                content = content.rstrip(b"\r\n")
                out.append(f"--{boundary.decode()}\n{htext}\n\n<{len(content)} bytes>")
            else:
                shown = _printable(content.rstrip(b"\r\n"), "application/json")
                out.append(f"--{boundary.decode()}\n{htext}\n\n{shown}")
        return "\n".join(out) + f"\n--{boundary.decode()}--"
    try:
        text = body.decode("utf-8")
        return text if text.isprintable() or "\n" in text else f"<{len(body)} bytes>"
    except UnicodeDecodeError:
        return f"<{len(body)} bytes>"


# ---- ping -----------------------------------------------------------------------------------
def cmd_ping(args) -> int:
    cfg = _config(args)
    jc = _jurisdiction(cfg, args.code)
    steps = ping_steps(cfg, jc)
    failed = next((s for s in steps if not s["ok"]), None)
    if args.json:
        print(json.dumps({"jurisdiction": jc.code, "ok": failed is None, "steps": steps}, ensure_ascii=False))
    else:
        for s in steps:
            print(f"{s['step']:12} {'ok' if s['ok'] else 'FAILED'}  {s['detail']}")
    if failed:
        print(f"kiosk-admin: backend ping {jc.code}: {failed['step']} failed: {failed['detail']}", file=sys.stderr)
        return 1
    return 0


def ping_steps(cfg, jc) -> list[dict]:
    """files → profile → DNS → TCP → TLS → credentials + status operation; stops at the first failure."""
    import socket
    import ssl
    from urllib.parse import urlsplit

    from offline_queue.transports.common import config_problem
    from offline_queue.types import OutboxError, UnavailableError

    steps: list[dict] = []

    def step(name: str, ok: bool, detail: str) -> bool:
        steps.append({"step": name, "ok": ok, "detail": detail})
        return ok

    backend = _Backend(jc, start_sim=True)
    try:
        ep = backend.endpoint
        why = config_problem(ep)
        if not step("files", why is None, why or "the files the site config names are there"):
            return steps
        import dataclasses
        problems = profile_problems(dataclasses.replace(cfg, jurisdictions={jc.code: jc}))
        if not step("profile", not problems, problems[0] if problems else f"{backend_files(jc)[0]} fits"
                    + (f" {ep.wsdl}" if ep.wsdl else "")):
            return steps
        u = urlsplit(ep.url)
        host, port = u.hostname or "", u.port or (443 if u.scheme == "https" else 80)
        try:
            addrs = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as e:
            step("dns", False, f"cannot resolve {host}: {e.strerror}: check the endpoint's host name in "
                               f"[jurisdictions.{jc.code}] and the kiosk's DNS (/etc/resolv.conf, the VPN)")
            return steps
        step("dns", True, f"{host} is {addrs[0][4][0]}")
        try:
            sock = socket.create_connection((host, port), timeout=ep.connect_timeout)
        except OSError as e:
            step("tcp", False, f"{host}:{port}: {getattr(e, 'strerror', None) or type(e).__name__}: the port is closed "
                               f"or filtered: check the endpoint's port, the firewall, the VPN")
            return steps
        step("tcp", True, f"{host}:{port} accepts connections")
        if u.scheme == "https":
            ctx = ssl.create_default_context(cafile=ep.ca_bundle) if ep.ca_bundle else ssl.create_default_context()
            if ep.client_cert:
                try:
                    ctx.load_cert_chain(ep.client_cert, ep.client_key)
                except (ssl.SSLError, OSError) as e:
                    sock.close()
                    step("tls", False, f"client certificate {ep.client_cert} / key {ep.client_key} do not load: {e}")
                    return steps
            try:
                with ctx.wrap_socket(sock, server_hostname=host) as tls:
                    tls.settimeout(ep.connect_timeout)
                    peer = tls.getpeercert() or {}
                    # TLS 1.3: a refused client certificate shows only on the first read; a HEAD
                    # request gets an answer (or the server's alert) at once
                    tls.sendall(f"HEAD / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
                    if not tls.recv(1):
                        raise ssl.SSLError("the server closed the connection after the handshake")
            except ssl.SSLCertVerificationError as e:
                step("tls", False, f"the server's certificate is not trusted ({e.verify_message}): ca_bundle in "
                                   f"[jurisdictions.{jc.code}] must be the jurisdiction's CA")
                return steps
            except (ssl.SSLError, OSError) as e:
                step("tls", False, f"handshake failed ({getattr(e, 'reason', None) or e}): "
                                   + ("the server may want a client certificate: client_cert / client_key"
                                      if not ep.client_cert else "the server refused the client certificate"))
                return steps
            subject = dict(x[0] for x in peer.get("subject", ()))
            step("tls", True, f"certificate of {subject.get('commonName', host)} trusted"
                              + (", client certificate sent" if ep.client_cert else ""))
        else:
            sock.close()
            step("tls", True, "plain http (loopback or allowed by the site config)")
        probe = str(uuid.uuid4())
        try:
            st = backend.transport.status(probe, None)
        except UnavailableError as e:
            step("status", False, f"{e}: the back end did not answer the status operation")
            return steps
        except OutboxError as e:
            text = str(e)
            if re.search(r"\b40[13]\b|Authentication|unauthori|appKey|credential|token", text, re.I):
                step("credentials", False, f"{text}: check the credentials file named in [jurisdictions.{jc.code}]")
            else:
                step("status", False, f"{text}: check the profile's [status] section")
            return steps
        step("credentials", True, "accepted" if ep.credentials_file else "none configured, none asked for")
        step("status", True, f"a query for an unknown id answers {st.state!r}")
        return steps
    finally:
        backend.close()


# ---- progress -------------------------------------------------------------------------------
def cmd_progress(args) -> int:
    from kiosk.catalog import load_catalog
    from kiosk.errors import UsageError
    from kiosk.outbox import open_outbox

    cfg = _config(args)
    box = open_outbox(cfg, load_catalog(cfg.active_catalog()), start_forwarder=False)
    try:
        info = box.store.get(args.ident)
        if info is None:
            got = box.store.find(tracking=args.ident)
            info = got[0] if len(got) == 1 else None
        if info is None:
            raise UsageError(f"progress: no item {args.ident!r} in this kiosk's outbox")
        items = [p for p in box.progress(tracking_number=info.tracking) if p.txid == info.txid]
        info = box.store.get(info.txid) or info
    finally:
        box.close()
    p = items[0] if items else None
    d = {"txid": info.txid, "tracking_number": info.tracking, "matter": info.matter,
         "jurisdiction": info.jurisdiction, "local_state": info.state,
         "status": (p.remote_state if p else None) or info.remote_state,
         "reason": (p.remote_reason if p else None) or info.remote_reason,
         "reference": info.remote_reference, "last_error": info.last_error}
    if args.json:
        print(json.dumps(d, ensure_ascii=False))
    else:
        for k, v in d.items():
            print(f"{k:16} {v if v is not None else '-'}")
    return 0
