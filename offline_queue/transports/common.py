"""What both transports share: the endpoint description, the credentials file read at use, the
HTTP status classification and the requests session with its TLS settings."""
from __future__ import annotations

import email.utils
import dataclasses
import os
import re
import threading
import time
import tomllib
from typing import Callable, Mapping, Protocol

import requests

from offline_queue import limits
from offline_queue.types import AttachmentRef, Dead, Delivered, OutboxError, Outcome, RemoteStatus, Request, Retry

# 409 here is "the original request is still in progress" (Idempotency-Key draft): try again.
RETRY_STATUSES = frozenset({408, 409, 425, 429})


@dataclasses.dataclass(frozen=True)
class Endpoint:
    """One jurisdiction's endpoint, as the outbox needs it."""

    code: str
    protocol: str  # rest | soap
    url: str  # base URL (REST) or service address (SOAP)
    wsdl: str | None = None  # SOAP: a local file, never fetched
    credentials_file: str | None = None  # TOML: username/password (SOAP) or token (REST)
    client_cert: str | None = None
    client_key: str | None = None
    ca_bundle: str | None = None  # None: the system's trust store
    connect_timeout: float = limits.CONNECT_TIMEOUT
    read_timeout: float = limits.READ_TIMEOUT
    proxy: str | None = None  # from the site config; the environment's proxy settings are ignored
    profile: str | None = None  # the interface profile (TOML); None: the project's own contract
    allow_plain_http: bool = False  # http:// to a host other than loopback: only when the site says so


class Transport(Protocol):
    endpoint: Endpoint

    def send(self, request: Request, read_attachment: Callable[[AttachmentRef], bytes]) -> Outcome: ...
    def status(self, txid: str, status_operation: str | None = None, reference: str | None = None) -> RemoteStatus:
        """The remote status; `reference` (the remote's receipt number, once known) is the
        profile's `reference` source, for agencies that are asked by their own number."""
    def query(self, operation: str, params: Mapping[str, str]) -> dict: ...
    def close(self) -> None: ...


def profile_path(ep: Endpoint) -> str:
    """The endpoint's interface profile, or the project's own contract for its protocol."""
    from offline_queue.profile import LEGACY
    return ep.profile or LEGACY[ep.protocol]


_LOOPBACK = re.compile(r"^https?://(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(/|$)", re.I)


def is_loopback(url: str) -> bool:
    return bool(_LOOPBACK.match(url))


def plain_http_refused(ep: Endpoint) -> str | None:
    """Why this endpoint may not be used: plain http to a host other than loopback would carry
    names, ID numbers and scans in the clear. None when fine."""
    if ep.url.lower().startswith("http://") and not is_loopback(ep.url) and not ep.allow_plain_http:
        return (f"{ep.code}: refusing plain http:// to {ep.url}: personal data would travel in the clear; "
                f"use https:// (or, on a closed test network only, allow_plain_http = true in [jurisdictions.{ep.code}])")
    return None


def config_problem(ep: Endpoint) -> str | None:
    """A file the endpoint needs that is not there, or an endpoint that may not be used: what to
    fix, or None. Checked before every send (a few stat calls)."""
    why = plain_http_refused(ep)
    if why:
        return why
    for what, path, key in (("CA bundle", ep.ca_bundle, "ca_bundle"), ("client certificate", ep.client_cert, "client_cert"),
                            ("client key", ep.client_key, "client_key"), ("credentials file", ep.credentials_file, "credentials"),
                            ("WSDL", ep.wsdl, "wsdl"), ("interface profile", ep.profile, "profile")):
        if path and not os.access(path, os.R_OK):
            state = "missing" if not os.path.exists(path) else "unreadable by this user"
            return (f"{ep.code}: the {what} {path} is {state}: install it, or fix {key} in "
                    f"[jurisdictions.{ep.code}] of the site config")
    return None


def make_transport(endpoint: Endpoint) -> Transport:
    if endpoint.protocol == "rest":
        from offline_queue.transports.rest import RestTransport
        return RestTransport(endpoint)
    if endpoint.protocol == "soap":
        from offline_queue.transports.soap import SoapTransport
        return SoapTransport(endpoint)
    raise OutboxError(f"{endpoint.code}: unknown protocol {endpoint.protocol!r}")


class Credentials:
    """The credentials file, read at use (re-read when it changes, so a rotated password needs no
    restart). Keys: token (REST bearer) or username + password (SOAP UsernameToken)."""

    def __init__(self, path: str | None):
        self.path = path
        self._cache: tuple[float, dict] | None = None
        self._lock = threading.Lock()

    def get(self) -> dict:
        if not self.path:
            return {}
        try:
            mtime = os.stat(self.path).st_mtime
        except OSError as e:
            raise OutboxError(f"{self.path}: credentials file unreadable: {e.strerror}") from None
        with self._lock:
            if self._cache and self._cache[0] == mtime:
                return self._cache[1]
            try:
                with open(self.path, "rb") as f:
                    d = tomllib.load(f)
            except (OSError, tomllib.TOMLDecodeError) as e:
                raise OutboxError(f"{self.path}: credentials file unreadable: {e}") from None
            self._cache = (mtime, d)
            return d


def new_session(ep: Endpoint) -> requests.Session:
    """A session that uses the jurisdiction's CA and client certificate. trust_env=False: with
    REQUESTS_CA_BUNDLE set, requests would otherwise ignore `verify` and the handshake fails."""
    s = requests.Session()
    s.trust_env = False
    s.verify = ep.ca_bundle or True
    if ep.client_cert:
        s.cert = (ep.client_cert, ep.client_key)
    if ep.proxy:
        s.proxies = {"http": ep.proxy, "https": ep.proxy}
    adapter = requests.adapters.HTTPAdapter(pool_connections=2, pool_maxsize=limits.CONCURRENCY * 2, max_retries=0)
    s.mount("https://", adapter)
    s.mount("http://", adapter)
    return s


def retry_after(value: str | None, *, now: Callable[[], float] = time.time) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - now())


def short(text: str | bytes, n: int = 200) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    text = " ".join(text.split())
    return text if len(text) <= n else text[:n] + "…"


def classify_status(status: int, headers: Mapping[str, str], body: bytes | str = b"") -> Outcome | None:
    """None for 2xx (the caller reads the body); Retry for 408/409/425/429/5xx; Dead otherwise."""
    if 200 <= status < 300:
        return None
    if status in RETRY_STATUSES or status >= 500:
        return Retry(f"HTTP {status}: {short(body)}", retry_after=retry_after(headers.get("Retry-After")))
    if 300 <= status < 400:
        return Dead(f"HTTP {status} redirect to {headers.get('Location')!s}: check the endpoint in the site config")
    return Dead(f"HTTP {status}: {short(body)}")


def network_retry(e: BaseException) -> Retry:
    return Retry(f"network: {type(e).__name__}: {short(str(e), 160)}", network=True)


__all__ = ["Endpoint", "Transport", "make_transport", "Credentials", "new_session", "classify_status",
           "retry_after", "network_retry", "Delivered", "Dead", "Retry"]


def outcome_of(reading, prefix: str = "") -> Outcome:
    """What a profile's reading of an answer (offline_queue.profile.Reader.outcome) means for the item."""
    if reading.outcome == "delivered":
        return Delivered(reading.reference)
    if reading.outcome == "duplicate":
        return Delivered(reading.reference, duplicate=True)
    if reading.outcome == "retry":
        return Retry(prefix + reading.message)
    return Dead(prefix + reading.message)
