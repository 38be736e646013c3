"""`kiosk-admin provision`: turns a site template into one kiosk's config, with its outbox key,
the technician PIN's hash and (optionally) an mTLS client key and CSR.

Nothing is written until everything has been checked; the config is written atomically; an
existing outbox key is never replaced without `force` (a lost key means queued applications
can never be sent), and even then the old key is kept beside it."""
from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import os
import re
import shutil
import tomllib
from pathlib import Path

from kiosk import inputs
from kiosk.config import Config, parse_config
from kiosk.errors import KioskError, UsageError
from kiosk.field import owner
from kiosk.files import write_atomically
from kiosk.pin import hash_pin

CONFIG_NAME = "kiosk.toml"
KEY_NAME = "outbox.key"
TLS_DIR = "tls"
RSA_BITS = 2048  # what every jurisdiction gateway we know accepts for client certificates
_PATH_KEYS = ("credentials", "wsdl", "client_cert", "client_key", "ca_bundle", "profile")


@dataclasses.dataclass(frozen=True)
class Provisioned:
    kiosk_id: str
    config_path: str
    key_path: str
    key_state: str  # "new" | "kept" | "replaced (old key kept at …)"
    client_key: str | None = None
    csr: str | None = None
    client_cert: str | None = None  # where the signed certificate must be put
    copied: tuple[str, ...] = ()  # files copied from beside the template (WSDLs ...)
    still_needed: tuple[tuple[str, str], ...] = ()  # (path, what it is) the config names but nobody made yet
    owner_set: bool = False


def provision(template: str, kiosk_id: str, out_dir: str, pin: str, *, force: bool = False,
              keep_key: bool = False, csr: bool = False, now: _dt.datetime | None = None) -> Provisioned:
    """Write `out_dir`/kiosk.toml, `out_dir`/outbox.key and, with csr, `out_dir`/tls/<id>.key+.csr."""
    now = now or _dt.datetime.now().astimezone()
    out = Path(out_dir).absolute()
    tpl = Path(template)
    try:
        text = tpl.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(f"{template}: no such site template (see /opt/kiosk/share/sites/)") from None
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError(f"{template}: cannot read: {e}") from None
    parse_config(text, str(tpl))  # the template itself must be a valid site (ConfigError: file:line)
    if not re.fullmatch(r"[a-z0-9][a-z0-9\-]{1,39}", kiosk_id):
        raise UsageError(f"--kiosk-id {kiosk_id!r}: 2–40 lower-case letters, digits or '-', e.g. dachang-hall-02")
    try:
        pin_hash = hash_pin(pin)
    except ValueError as e:
        raise UsageError(f"PIN: {e}") from None
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out}: not a folder")

    cfg_path, key_path = out / CONFIG_NAME, out / KEY_NAME
    if key_path.exists() and not (force or keep_key):
        raise KioskError(f"{key_path}: an outbox key exists already; replacing it would make every queued "
                         f"application unreadable. Use --keep-key to re-provision with it, or --force to "
                         f"replace it (check `kiosk-admin queue status` is empty first)")
    if keep_key and not key_path.exists():
        raise UsageError(f"--keep-key: {key_path} does not exist")
    if cfg_path.exists() and not (force or keep_key):
        raise KioskError(f"{cfg_path}: exists already; use --force to replace it")

    raw = tomllib.loads(text)
    edits: list[tuple[str, str, object]] = [
        ("kiosk", "id", kiosk_id),
        ("data", "outbox_key", str(key_path)),
        ("technician", "pin_hash", pin_hash),
    ]
    tls_key = tls_csr = tls_crt = None
    if csr:
        tls_key, tls_csr, tls_crt = (out / TLS_DIR / f"{kiosk_id}{ext}" for ext in (".key", ".csr", ".crt"))
        for code, j in raw.get("jurisdictions", {}).items():
            if "client_cert" in j or "client_key" in j:
                edits += [(f"jurisdictions.{code}", "client_cert", str(tls_crt)),
                          (f"jurisdictions.{code}", "client_key", str(tls_key))]
        if tls_key.exists() and not force:
            raise KioskError(f"{tls_key}: a client key exists already (its certificate may be issued); use --force to replace it")
    header = (f"# Provisioned by `kiosk-admin provision` on {now:%Y-%m-%d %H:%M %z} for {kiosk_id},\n"
              f"# from the site template {tpl.name}. Edit with care; check with `kiosk-admin check-config`.\n")
    new_text = header + edit_toml(text, edits)
    cfg = parse_config(new_text, str(cfg_path))  # what we write must load: refuse before writing anything

    # ---- everything checked: write ---------------------------------------------------------
    out.mkdir(parents=True, exist_ok=True, mode=0o750)
    owner.hand_to(str(out), group_only=True)
    if keep_key:
        key_state = "kept"
    else:
        key_state = "new"
        if key_path.exists():
            backup = key_path.with_name(f"{KEY_NAME}.replaced-{now:%Y%m%d-%H%M%S}")
            os.replace(key_path, backup)
            key_state = f"replaced (the old key is kept at {backup})"
        _create_key(str(key_path))
    owner_set = owner.hand_to(str(key_path))
    if csr:
        _write_client_key_and_csr(str(tls_key), str(tls_csr), kiosk_id, cfg)
    copied = _copy_beside(tpl, out, raw)
    _atomic_write(cfg_path, new_text, 0o640)
    owner.hand_to(str(cfg_path), group_only=True)
    return Provisioned(kiosk_id=kiosk_id, config_path=str(cfg_path), key_path=str(key_path), key_state=key_state,
                       client_key=str(tls_key) if tls_key else None, csr=str(tls_csr) if tls_csr else None,
                       client_cert=str(tls_crt) if tls_crt else None, copied=tuple(copied),
                       still_needed=tuple(missing_files(cfg)), owner_set=owner_set)


def set_pin(config_path: str, pin: str) -> str:
    """Replace the technician PIN's hash in a provisioned config (`kiosk-admin set-pin`): the way
    out for a hash the kiosk no longer verifies (made before the scrypt cost rose, kiosk/pin.py)
    or a forgotten PIN. Only the pin_hash line changes; the file is written atomically with its
    mode kept, and must still load. Returns the config's path."""
    path = Path(config_path)
    text = inputs.read_text_bounded(path, inputs.CONFIG_MAX, "a site config")
    try:
        pin_hash = hash_pin(pin)
    except ValueError as e:
        raise UsageError(f"PIN: {e}") from None
    new_text = edit_toml(text, [("technician", "pin_hash", pin_hash)])
    parse_config(new_text, str(path))  # refuse before writing (ConfigError: file:line: key: reason)
    mode = path.stat().st_mode & 0o777
    _atomic_write(path, new_text, mode)
    owner.hand_to(str(path), group_only=True)
    return str(path)


def missing_files(cfg: Config) -> list[tuple[str, str]]:
    """Files the config names that do not exist yet, with what each one is."""
    out = []
    for code, j in cfg.jurisdictions.items():
        for key, what in (("credentials", "credentials from the jurisdiction"), ("wsdl", "the jurisdiction's WSDL"),
                          ("client_cert", "the signed client certificate, from the CSR"),
                          ("client_key", "the client key"), ("ca_bundle", "the jurisdiction's CA certificate")):
            p = getattr(j, key)
            if p and not os.path.exists(p):
                out.append((p, f"{code}: {what}"))
    return out


# ---- TOML text editing that keeps the template's comments ---------------------------------
_HDR = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")


def edit_toml(text: str, edits: list[tuple[str, str, object]]) -> str:
    """Set `table.key = value` for each edit: replace the key's line, or add it to its table, or
    add the table at the end."""
    lines = text.splitlines()
    for table, key, value in edits:
        rendered = f"{key} = {_toml_value(value)}"
        start = end = None
        for i, line in enumerate(lines):
            m = _HDR.match(line)
            if m and start is None and m.group(1).replace('"', "") == table:
                start = i
            elif m and start is not None:
                end = i
                break
        if start is None:
            lines += ["", f"[{table}]", rendered]
            continue
        end = len(lines) if end is None else end
        key_re = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for i in range(start + 1, end):
            if key_re.match(lines[i]):
                lines[i] = rendered
                break
        else:
            last = start
            for i in range(start + 1, end):
                if lines[i].strip():
                    last = i
            lines.insert(last + 1, rendered)
    return "\n".join(lines) + "\n"


def _toml_value(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    # a JSON string is a valid TOML basic string (same escapes)
    return json.dumps(str(v), ensure_ascii=False)


# ---- files -------------------------------------------------------------------------------------
def _create_key(path: str) -> None:
    """The outbox key, in the format the outbox reads (offline_queue's own create_key)."""
    from kiosk.outbox import provision_key

    provision_key(path)


def _write_client_key_and_csr(key_path: str, csr_path: str, kiosk_id: str, cfg: Config) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)
    subject = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "区域通办"),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, cfg.site_jurisdiction),
        x509.NameAttribute(NameOID.COMMON_NAME, kiosk_id),
    ])
    req = (x509.CertificateSigningRequestBuilder().subject_name(subject)
           .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
           .sign(key, hashes.SHA256()))
    os.makedirs(os.path.dirname(key_path), mode=0o750, exist_ok=True)
    owner.hand_to(os.path.dirname(key_path), group_only=True)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    _atomic_write(Path(key_path), pem, 0o600)
    owner.hand_to(key_path)
    _atomic_write(Path(csr_path), req.public_bytes(serialization.Encoding.PEM), 0o644)


def _copy_beside(tpl: Path, out: Path, raw: dict) -> list[str]:
    """Relative files the template names (e.g. wsdl/…) are copied along, so they resolve from
    the new config's folder too."""
    copied = []
    for j in raw.get("jurisdictions", {}).values():
        for k in _PATH_KEYS:
            rel = j.get(k)
            if not rel or os.path.isabs(rel):
                continue
            src, dst = tpl.parent / rel, out / rel
            if src.is_file() and src.resolve() != dst.resolve():
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, dst)
                os.chmod(dst, 0o640)
                owner.hand_to(str(dst), group_only=True)
                copied.append(str(dst))
    return copied


def _atomic_write(path: Path, data: str | bytes, mode: int) -> None:
    write_atomically(path, data, mode)

