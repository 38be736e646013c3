"""The files a site config names, looked at by `kiosk-admin check-config`: the catalog, each
jurisdiction's CA bundle, client certificate and key, credentials file and WSDL. Each check
answers None (good) or one line saying what is wrong; nothing here is ever sent anywhere.

What is checked: the file exists, is readable and not oversized (kiosk.inputs limits), and parses
as what it must be: the catalog validates, a certificate file is PEM with at least one certificate,
a key is an unencrypted PEM private key that matches its certificate, a credentials file is TOML
with `token` (REST) or `username` and `password` (SOAP), a WSDL is XML whose root is
wsdl:definitions (parsed with entities, DTDs and the network off), the TURN credentials file is
one `username:password` line and not world-readable."""
from __future__ import annotations

import tomllib

from kiosk import inputs
from kiosk.errors import ConfigError

WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"


def _read(path: str, limit: int, what: str) -> bytes:
    return inputs.read_bounded(path, limit, what)  # ConfigError: "path: reason"


def catalog_problem(path: str) -> str | None:
    from kiosk.catalog.loader import read_catalog_file

    try:
        read_catalog_file(path)
    except ConfigError as e:
        return str(e)
    return None


def _certs(path: str, data: bytes, what: str):
    from cryptography import x509

    if b"-----BEGIN CERTIFICATE-----" not in data:
        raise ConfigError(path, f"not a PEM certificate ({what}): no -----BEGIN CERTIFICATE----- block")
    try:
        return x509.load_pem_x509_certificates(data)
    except ValueError as e:
        raise ConfigError(path, f"not a PEM certificate ({what}): {e}") from None


def ca_bundle_problem(path: str) -> str | None:
    try:
        _certs(path, _read(path, inputs.PEM_MAX, "a CA bundle"), "CA bundle")
    except ConfigError as e:
        return str(e)
    return None


def client_pair_problems(cert_path: str | None, key_path: str | None) -> dict[str, str]:
    """{'client_cert': reason, 'client_key': reason} for whichever is wrong; a key that does not
    belong to the certificate is the key's problem."""
    from cryptography.hazmat.primitives import serialization

    out: dict[str, str] = {}
    cert = key = None
    if cert_path:
        try:
            cert = _certs(cert_path, _read(cert_path, inputs.PEM_MAX, "a client certificate"), "client certificate")[0]
        except ConfigError as e:
            out["client_cert"] = str(e)
    if key_path:
        try:
            data = _read(key_path, inputs.PEM_MAX, "a private key")
            if b"PRIVATE KEY-----" not in data:
                raise ConfigError(key_path, "not a PEM private key: no -----BEGIN ... PRIVATE KEY----- block")
            try:
                key = serialization.load_pem_private_key(data, password=None)
            except TypeError:
                raise ConfigError(key_path, "the private key is encrypted with a passphrase; the kiosk needs it "
                                            "unencrypted (0600, owned by kiosk)") from None
            except (ValueError, Exception) as e:  # cryptography's UnsupportedAlgorithm is not a ValueError
                raise ConfigError(key_path, f"not a usable PEM private key: {e}") from None
        except ConfigError as e:
            out["client_key"] = str(e)
    if cert is not None and key is not None:
        pub = serialization.PublicFormat.SubjectPublicKeyInfo
        enc = serialization.Encoding.DER
        if cert.public_key().public_bytes(enc, pub) != key.public_key().public_bytes(enc, pub):
            out["client_key"] = f"{key_path}: does not belong to the client certificate {cert_path}"
    return out


def credentials_problem(path: str, protocol: str) -> str | None:
    try:
        text = _read(path, inputs.CREDENTIALS_MAX, "a credentials file").decode("utf-8")
        d = tomllib.loads(text)
    except ConfigError as e:
        return str(e)
    except UnicodeDecodeError:
        return f"{path}: not UTF-8 text"
    except RecursionError:
        return f"{path}: not valid TOML: nested too deeply"
    except tomllib.TOMLDecodeError as e:
        return f"{path}: not valid TOML: {e}"
    wrong = [k for k in ("token", "api_key", "username", "password") if k in d and not isinstance(d[k], str)]
    if wrong:
        return f"{path}: {', '.join(wrong)} must be a string"
    if protocol == "rest" and not (d.get("token") or d.get("api_key")):  # bearer or API key: the profile says
        return f"{path}: a REST jurisdiction's credentials need token = \"...\" (bearer) or api_key = \"...\""
    if protocol == "soap" and not (d.get("username") and d.get("password")):
        return f"{path}: a SOAP jurisdiction's credentials need username = \"...\" and password = \"...\""
    return None


def wsdl_problem(path: str) -> str | None:
    from lxml import etree

    try:
        data = _read(path, inputs.WSDL_MAX, "a WSDL")
    except ConfigError as e:
        return str(e)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             remove_comments=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as e:
        line = f" (line {e.lineno})" if getattr(e, "lineno", None) else ""
        return f"{path}: not XML{line}: {e.msg if hasattr(e, 'msg') else e}"
    except (ValueError, RecursionError) as e:
        return f"{path}: not XML: {e}"
    if root is None or etree.QName(root).namespace != WSDL_NS or etree.QName(root).localname != "definitions":
        tag = etree.QName(root).text if root is not None else "nothing"
        return f"{path}: not a WSDL 1.1 document (root is {tag}, expected {{{WSDL_NS}}}definitions)"
    return None


def read_turn_credentials(path: str) -> tuple[str, str]:
    """The TURN server's (username, password) from its file: one `username:password` line (blank
    lines and # comments aside), not world-readable. ConfigError "path:line: reason" (never the
    password) when it is not."""
    import os
    import stat

    data = _read(path, inputs.CREDENTIALS_MAX, "a TURN credentials file")
    if os.stat(path).st_mode & stat.S_IROTH:
        raise ConfigError(path, "readable by everyone: chmod 600 (or 640, group kiosk)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(path, "not UTF-8 text") from None
    found: list[tuple[int, str]] = [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1)
                                    if line.strip() and not line.strip().startswith("#")]
    if not found:
        raise ConfigError(path, "empty: one line username:password expected")
    if len(found) > 1:
        raise ConfigError(path, "one line username:password expected, found another", line=found[1][0])
    n, line = found[0]
    user, sep, password = line.partition(":")
    if not sep or not user or not password:
        raise ConfigError(path, "not username:password", line=n)
    if any(c.isspace() for c in user):
        raise ConfigError(path, "the username has a space in it", line=n)
    return user, password


def turn_credentials_problem(path: str) -> str | None:
    try:
        read_turn_credentials(path)
    except ConfigError as e:
        return str(e)
    return None
