"""`kiosk-admin selftest`: checks everything an unattended kiosk needs — each configured device,
each jurisdiction endpoint (TLS handshake, credentials accepted, status operation answers),
disk space, the clock and the outbox — and says, for every failure, what to check.

A check is pass / warn / fail / skip. Only a fail fails the selftest; skip is reserved for a
check this build cannot run, and says so."""
from __future__ import annotations

import dataclasses
import datetime as _dt
import email.utils
import os
import shutil
import socket
import ssl
import threading
import urllib.parse
import uuid
from typing import Any, Callable, Iterable, Mapping

from kiosk.clock import Clock, SystemClock
from kiosk.config import Config, JurisdictionConfig
from kiosk.field import limits

Status = str  # "pass" | "warn" | "fail" | "skip"


@dataclasses.dataclass(frozen=True)
class Check:
    name: str  # "printer", "jurisdiction tongzhou: TLS", "disk", ...
    status: Status
    detail: str  # what was seen
    fix: str = ""  # what to check, for warn and fail

    @property
    def failed(self) -> bool:
        return self.status == "fail"

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


def passed(checks: Iterable[Check]) -> bool:
    return not any(c.failed for c in checks)


def run_selftest(config: Config, *, clock: Clock | None = None,
                 device_factories: Mapping[str, Callable[..., Any]] | None = None,
                 open_outbox: Callable[[Config, Clock], Any] | None = None) -> list[Check]:
    clock = clock or SystemClock()
    checks: list[Check] = []
    checks += check_devices(config, clock, device_factories)
    skews: list[float] = []
    for code, j in config.jurisdictions.items():
        checks += check_jurisdiction(j, clock, skews)
    checks.append(check_disk(config.data_folder))
    checks.append(check_clock(clock, skews))
    checks += check_outbox(config, clock, open_outbox)
    checks.append(check_pin(config))
    return checks


# ---- devices ---------------------------------------------------------------------------------
DEVICE_FIX = {
    "idreader": "check the ID reader's USB cable and power; `ls -l /dev/kiosk-idreader` (udev rule installed?); "
                "`kiosk-admin devices` lists what answers",
    "sscard": "check pcscd runs (`systemctl status pcscd.socket`) and the card reader is plugged in; "
              "`kiosk-admin devices` lists the PC/SC readers",
    "printer": "check the printer's power, cable or network, paper and cover; `kiosk-admin devices` lists USB printers",
    "scanner": "check the scanner's power and USB cable; `scanimage -L` must list it",
}
PRINTER_FIX = {
    "paper_out": "load a paper roll (80 or 58 mm as configured) and close the cover",
    "paper_near_end": "the paper roll is nearly used up: have a new roll ready",
    "cover_open": "close the printer's cover until it clicks",
    "offline": "the printer is offline: check its power switch and cable/network, and that its error light is off",
    "no_answer": "the printer does not answer: check its power and cable (USB, serial) or its network address (tcp://) "
                 "in the site config; `kiosk-admin devices` lists USB printers",
    "error": "the printer reports an error: open and close the cover, clear any jam, power-cycle it",
}


def check_devices(config: Config, clock: Clock, factories: Mapping[str, Callable[..., Any]] | None = None) -> list[Check]:
    from kiosk.bootstrap import DEVICE_NAMES, default_factories

    made = dict(default_factories())
    made.update(factories or {})
    out = []
    for name in DEVICE_NAMES:
        url = getattr(config.devices, name)
        if not url:
            out.append(Check(name, "skip", "not configured in [devices]"))
            continue
        out.append(_check_device(name, url, made[name], config, clock))
    return out


def _check_device(name: str, url: str, factory, config: Config, clock: Clock) -> Check:
    try:
        dev = factory(config, clock)
    except ModuleNotFoundError as e:
        if e.name and e.name.startswith("kiosk.devices"):
            return Check(name, "skip", f"{url}: the {name} adapter is not available in this build")
        return Check(name, "fail", f"{url}: cannot start: {e}", DEVICE_FIX[name])
    except Exception as e:
        return Check(name, "fail", f"{url}: cannot start: {e}", DEVICE_FIX[name])
    try:
        state = _settled_state(dev)
    except Exception as e:
        return Check(name, "fail", f"{url}: state query failed: {type(e).__name__}: {e}", DEVICE_FIX[name])
    finally:
        _close(dev)
    seen = f"{url}: {state.code}" + (f" ({state.en})" if state.en and state.en != state.code else "") \
        + (f" — {state.detail}" if state.detail else "")
    fix = PRINTER_FIX.get(state.code, DEVICE_FIX[name]) if name == "printer" else DEVICE_FIX[name]
    if any(w in state.detail.lower() for w in ("busy", "lock", "temporarily unavailable")):
        fix = "the running kiosk app holds this device: `systemctl stop kiosk`, run the selftest, then start it again"
    if state.health == "ok":
        return Check(name, "pass", seen)
    if state.health == "warning":
        return Check(name, "warn", seen, fix)
    return Check(name, "fail", seen, fix)


class _FirstState:
    """A CardListener that only waits for the source's first device state."""

    def __init__(self):
        self.event = threading.Event()

    def device_state(self, state) -> None:
        self.event.set()

    def card_read(self, *a) -> None: ...
    def card_failed(self, *a) -> None: ...
    def card_removed(self, *a) -> None: ...


_UNSETTLED = ("starting", "stopped", "opening", "connecting", "unknown")


def _settled_state(dev):
    """Identity sources report their state once started; printers and scanners answer at once."""
    if hasattr(dev, "start") and hasattr(dev, "stop"):
        listener = _FirstState()
        dev.start(listener)
        st = dev.state()
        while st.code in _UNSETTLED and listener.event.wait(limits.DEVICE_STATE_TIMEOUT):
            listener.event.clear()
            st = dev.state()
        return st
    return dev.state()


def _close(dev) -> None:
    for meth in ("stop", "close"):
        fn = getattr(dev, meth, None)
        if fn is not None:
            try:
                fn()
            except Exception:
                pass
            return


# ---- jurisdictions -------------------------------------------------------------------------------
def check_jurisdiction(j: JurisdictionConfig, clock: Clock, skews: list[float]) -> list[Check]:
    name = f"jurisdiction {j.code}"
    sim = None
    url = j.endpoint
    if url.startswith("sim://"):
        try:
            from offline_queue.sim.server import start_simulator
        except ImportError:
            return [Check(name, "skip", f"{url}: the simulated jurisdictions are not available in this build")]
        sim = start_simulator(j.protocol, j.code)
        url = sim.url
    try:
        out = []
        missing = [f"{k} {p}" for k, p in (("credentials", j.credentials), ("wsdl", j.wsdl), ("client_cert", j.client_cert),
                                           ("client_key", j.client_key), ("ca_bundle", j.ca_bundle)) if p and not os.path.exists(p)]
        if missing:
            out.append(Check(f"{name}: files", "fail", "missing: " + ", ".join(missing),
                             "put the files from the jurisdiction (and the signed client certificate) where the site config says"))
            return out
        tls = _check_tls(name, url, j, clock)
        out.append(tls)
        if tls.failed:
            return out
        out.append(_check_status_operation(name, url, j, skews, clock))
        return out
    finally:
        if sim is not None:
            sim.stop()


def _check_tls(name: str, url: str, j: JurisdictionConfig, clock: Clock) -> Check:
    u = urllib.parse.urlsplit(url)
    host, port = u.hostname or "", u.port or (443 if u.scheme == "https" else 80)
    where = f"{host}:{port}"
    try:
        sock = socket.create_connection((host, port), timeout=min(j.connect_timeout, limits.TLS_HANDSHAKE_TIMEOUT))
    except socket.timeout:
        return Check(f"{name}: network", "fail", f"{where}: no answer within {j.connect_timeout:g} s",
                     "check the kiosk's network cable/Wi-Fi, the hall's firewall and that the endpoint in the site config is right")
    except OSError as e:
        return Check(f"{name}: network", "fail", f"{where}: {e.strerror or e}",
                     "check the kiosk's network, DNS and the endpoint address in the site config; "
                     "ask the jurisdiction whether its gateway is up")
    with sock:
        if u.scheme != "https":
            return Check(f"{name}: network", "pass", f"{where}: connected (plain http on loopback: no TLS to check)")
        try:
            ctx = ssl.create_default_context(cafile=j.ca_bundle) if j.ca_bundle else ssl.create_default_context()
            if j.client_cert:
                ctx.load_cert_chain(j.client_cert, j.client_key)
        except (ssl.SSLError, OSError) as e:
            return Check(f"{name}: TLS", "fail", f"cannot load the TLS files: {e}",
                         f"check ca_bundle {j.ca_bundle}, client_cert {j.client_cert} and client_key {j.client_key} are PEM and belong together")
        try:
            with ctx.wrap_socket(sock, server_hostname=host) as tls:
                tls.settimeout(limits.TLS_HANDSHAKE_TIMEOUT)
                cert = tls.getpeercert() or {}
                version = tls.version()
        except ssl.SSLCertVerificationError as e:
            return Check(f"{name}: TLS", "fail", f"{where}: the server's certificate does not verify: {e.verify_message}",
                         f"check ca_bundle ({j.ca_bundle or 'the system trust store'}) is the jurisdiction's CA, and the clock")
        except (ssl.SSLError, OSError) as e:
            return Check(f"{name}: TLS", "fail", f"{where}: TLS handshake failed: {e}",
                         "check the client certificate is the one the jurisdiction issued for this kiosk (and not expired)")
    days = _days_left(cert, clock)
    seen = f"{where}: {version}, server certificate for {_cn(cert)}" + (f", expires in {days} days" if days is not None else "")
    warn = []
    if days is not None and days < limits.CERT_EXPIRY_WARN_DAYS:
        warn.append(f"the server certificate expires in {days} days: tell the jurisdiction")
    cdays = _client_cert_days(j.client_cert, clock)
    if cdays is not None:
        seen += f"; client certificate expires in {cdays} days"
        if cdays < limits.CERT_EXPIRY_WARN_DAYS:
            warn.append(f"renew this kiosk's client certificate (CSR: `kiosk-admin provision --csr`) within {cdays} days")
    return Check(f"{name}: TLS", "warn" if warn else "pass", seen, "; ".join(warn))


def _check_status_operation(name: str, url: str, j: JurisdictionConfig, skews: list[float], clock: Clock) -> Check:
    try:
        from kiosk.outbox import endpoint_for
        from offline_queue.transports.common import make_transport, new_session
        from offline_queue.types import OutboxError
    except ImportError:
        return Check(f"{name}: status operation", "skip", "the transports are not available in this build")
    ep = endpoint_for(j, url=url, wsdl=_sim_wsdl(j))
    _note_skew(ep, new_session, skews, clock)
    transport = make_transport(ep)
    probe = f"selftest-{uuid.uuid4()}"
    try:
        st = transport.status(probe)
    except OutboxError as e:
        msg = str(e)
        if any(s in msg for s in ("HTTP 401", "HTTP 403", "uthenticat", "redential", "nauthori")):
            return Check(f"{name}: credentials", "fail", f"credentials rejected: {msg}",
                         f"check the credentials file {j.credentials or '(none configured)'} against what the jurisdiction issued")
        if "unreachable" in msg or type(e).__name__ == "UnavailableError":
            return Check(f"{name}: status operation", "fail", msg,
                         "the endpoint accepts connections but the service does not answer: ask the jurisdiction, "
                         "check the endpoint path in the site config")
        return Check(f"{name}: status operation", "fail", msg, "check the endpoint path and (SOAP) the WSDL in the site config")
    except Exception as e:
        return Check(f"{name}: status operation", "fail", f"{type(e).__name__}: {e}", "check the endpoint and WSDL in the site config")
    finally:
        transport.close()
    return Check(f"{name}: status operation", "pass",
                 f"{j.protocol.upper()} status answered ({st.state} for a made-up transaction, as expected); "
                 + ("credentials accepted" if j.credentials else "no credentials configured"))


def _sim_wsdl(j: JurisdictionConfig) -> str | None:
    if j.protocol == "soap" and j.endpoint.startswith("sim://"):
        from offline_queue.sim.soap_app import WSDL_FILE
        return WSDL_FILE
    return None


def _note_skew(ep, new_session, skews: list[float], clock: Clock) -> None:
    """The server's Date header against our clock (for the clock check). Best effort."""
    try:
        s = new_session(ep)
        try:
            r = s.head(ep.url, timeout=(ep.connect_timeout, limits.TLS_HANDSHAKE_TIMEOUT), allow_redirects=False)
        finally:
            s.close()
        date = r.headers.get("Date")
        if date:
            skews.append((clock.now() - email.utils.parsedate_to_datetime(date)).total_seconds())
    except Exception:
        pass


def _cn(cert: dict) -> str:
    for rdn in cert.get("subject", ()):
        for k, v in rdn:
            if k == "commonName":
                return v
    alt = [v for k, v in cert.get("subjectAltName", ()) if k in ("DNS", "IP Address")]
    return alt[0] if alt else "?"


def _days_left(cert: dict, clock: Clock) -> int | None:
    na = cert.get("notAfter")
    if not na:
        return None
    end = _dt.datetime.fromtimestamp(ssl.cert_time_to_seconds(na), _dt.timezone.utc)
    return (end - clock.now()).days


def _client_cert_days(path: str | None, clock: Clock) -> int | None:
    if not path:
        return None
    try:
        from cryptography import x509

        with open(path, "rb") as f:
            c = x509.load_pem_x509_certificate(f.read())
        return (c.not_valid_after_utc - clock.now()).days
    except Exception:
        return None


# ---- disk, clock ---------------------------------------------------------------------------------
def check_disk(folder: str) -> Check:
    p = folder
    while not os.path.exists(p) and os.path.dirname(p) != p:
        p = os.path.dirname(p)
    u = shutil.disk_usage(p)
    free_gb = u.free / 1024**3
    seen = f"{folder}: {free_gb:.1f} GiB free of {u.total / 1024**3:.1f} GiB ({u.free / u.total:.0%})"
    if not os.path.exists(folder):
        return Check("disk", "fail", seen + f"; {folder} does not exist",
                     "run deploy/install.sh (it creates the data folder), or fix data.folder in the site config")
    if u.free < limits.DISK_MIN_FREE_BYTES or u.free < limits.DISK_MIN_FREE_FRACTION * u.total:
        return Check("disk", "fail", seen,
                     f"free space on {p}: at least {limits.DISK_MIN_FREE_BYTES / 1024**3:.0f} GiB and "
                     f"{limits.DISK_MIN_FREE_FRACTION:.0%} are needed (`du -sh /var/lib/kiosk/* /var/log/*`; "
                     "`journalctl --vacuum-size=200M`)")
    return Check("disk", "pass", seen)


def check_clock(clock: Clock, skews: list[float]) -> Check:
    now = clock.now()
    seen = f"{now:%Y-%m-%d %H:%M:%S %z}"
    if now.year < limits.CLOCK_EARLIEST_YEAR:
        return Check("clock", "fail", seen + ": too early (the clock was reset)",
                     "set the time (`timedatectl set-ntp true`, or `timedatectl set-time`); replace the RTC battery")
    if skews:
        worst = max(skews, key=abs)
        seen += f"; {worst:+.0f} s against the jurisdictions' servers"
        if abs(worst) > limits.CLOCK_MAX_SKEW:
            return Check("clock", "fail", seen, "enable time sync: `timedatectl set-ntp true` (check `timedatectl status`)")
    else:
        seen += "; no server to compare with"
    if now.utcoffset() != _dt.timedelta(hours=8):
        return Check("clock", "warn", seen, "receipts show local time: `timedatectl set-timezone Asia/Shanghai`")
    return Check("clock", "pass", seen)


# ---- outbox, PIN --------------------------------------------------------------------------------------
def check_outbox(config: Config, clock: Clock, open_outbox=None) -> list[Check]:
    out = []
    try:
        from offline_queue.crypto import load_key
    except ImportError:
        load_key = None
    if load_key is not None:
        try:
            load_key(config.outbox_key)
            out.append(Check("outbox key", "pass", f"{config.outbox_key}: present, 0600"))
        except Exception as e:
            out.append(Check("outbox key", "fail", str(e),
                             "`kiosk-admin provision` makes the key; never replace it while applications are queued"))
    if open_outbox is None:
        try:
            from kiosk.outbox import OUTBOX_DIR, open_store
        except ImportError:
            out.append(Check("outbox", "skip", "the outbox is not available in this build"))
            return out
        # a selftest never creates the outbox (or the data folder) as a side effect
        if not os.path.isdir(config.data_folder):
            out.append(Check("outbox", "skip", f"{config.data_folder} does not exist (see the disk check)"))
            return out
        if not os.path.isdir(os.path.join(config.data_folder, OUTBOX_DIR)):
            out.append(Check("outbox", "pass", "no outbox yet: the kiosk creates it at its first start"))
            return out

        def open_outbox(cfg, clk):  # the store alone: no simulators, transports or forwarder
            return open_store(cfg, clock=clk)
    try:
        ob = open_outbox(config, clock)
    except Exception as e:
        out.append(Check("outbox", "fail", f"cannot open: {e}",
                         f"check {config.data_folder} is writable by the kiosk user and the outbox key matches"))
        return out
    try:
        stats = ob.stats() if hasattr(ob, "stats") else {"counts": ob.counts()}
        counts = stats["counts"]
        oldest = stats.get("oldest_queued_age")
        failing = stats.get("internal_errors") or {}
    finally:
        close = getattr(ob, "close", None)
        if close:
            close()
    seen = ", ".join(f"{k} {v}" for k, v in counts.items() if isinstance(v, int))
    if oldest is not None:
        seen += f"; oldest queued {_age(oldest)} ago"
    if counts.get("dead", 0):
        out.append(Check("outbox", "fail", seen,
                         f"{counts['dead']} application(s) were refused by a jurisdiction: `kiosk-admin queue list --state dead` "
                         "shows why; fix the cause, then `kiosk-admin queue retry`"))
    elif failing.get("count"):
        out.append(Check("outbox", "fail", f"{seen}; {failing['count']} retried after an error in the kiosk itself: "
                         f"{failing['last']}",
                         "a fault of the kiosk's software, not of the jurisdiction: they are retried, but send "
                         "`kiosk-admin diagnostics --out FILE.tar.gz` to support"))
    elif oldest is not None and oldest > limits.OUTBOX_OLDEST_QUEUED_MAX:
        out.append(Check("outbox", "fail", seen,
                         "forwarding is stuck: `systemctl status kiosk-forwarder`, then the jurisdiction checks above"))
    else:
        out.append(Check("outbox", "pass", seen or "empty"))
    return out


def _age(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def check_pin(config: Config) -> Check:
    from kiosk.pin import hash_problem

    if config.technician_pin_hash:
        why = hash_problem(config.technician_pin_hash)
        if why:  # the maintenance screen refuses every PIN until it is set again
            return Check("technician PIN", "fail", why.split(": set")[0], "`kiosk-admin set-pin`, then restart kiosk.service")
        return Check("technician PIN", "pass", "set (scrypt hash)")
    return Check("technician PIN", "fail", "not set: nobody can open the maintenance screen",
                 "`kiosk-admin provision` stores the PIN's hash in [technician] pin_hash")
