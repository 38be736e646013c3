"""What a simulated jurisdiction knows: what it received (deduplicated by transaction id), its
scripted remote pre-review, its query answers, and the faults it was told to inject."""
from __future__ import annotations

import dataclasses
import hashlib
import json
import random
import re
import threading
from collections import deque
from typing import Callable, Mapping

# Faults a server can inject on the next requests. "timeout" and "reset" happen after the request
# was processed: the worst case for duplicates (the jurisdiction has it, the kiosk does not know).
FAULT_KINDS = ("500", "503", "429", "400", "404", "422", "timeout", "reset", "slow", "malformed",
               "soapfault", "soapclientfault", "hostile", "down")
SLOW_SECONDS = 0.2  # a slow answer: slower than usual, well inside any client's read timeout
HANG_SECONDS = 30.0  # a timeout: the server holds the answer this long (or until stopped)
RETRY_AFTER = 7  # seconds, sent with 429 and 503


class FaultPlan:
    """Faults on command: a queue of the next faults (`push`), plus rates drawn with a seeded RNG
    (`set_rates`). Spec strings: "503*3" (the next three), "500=0.2,429=0.1" (rates), comma-joined."""

    def __init__(self, seed: int = 1):
        self._queue: deque[str] = deque()
        self._rates: dict[str, float] = {}
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self.injected: dict[str, int] = {}

    def push(self, kind: str, times: int = 1) -> None:
        _check(kind)
        with self._lock:
            self._queue.extend([kind] * times)

    def set_rates(self, rates: Mapping[str, float]) -> None:
        for k, v in rates.items():
            _check(k)
            if not 0 <= v <= 1:
                raise ValueError(f"fault rate {k}={v}: must be between 0 and 1")
        with self._lock:
            self._rates = dict(rates)

    def apply_spec(self, spec: str) -> None:
        rates = {}
        for part in filter(None, (p.strip() for p in spec.split(","))):
            if m := re.fullmatch(r"([a-z0-9]+)\*(\d+)", part):
                self.push(m.group(1), int(m.group(2)))
            elif m := re.fullmatch(r"([a-z0-9]+)=([0-9.]+)", part):
                rates[m.group(1)] = float(m.group(2))
            else:
                raise ValueError(f"fault spec {part!r}: use KIND*N or KIND=RATE (kinds: {', '.join(FAULT_KINDS)})")
        if rates:
            self.set_rates(rates)

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()
            self._rates = {}

    def next(self) -> str | None:
        with self._lock:
            kind = self._queue.popleft() if self._queue else None
            if kind is None:
                for k, p in self._rates.items():
                    if self._rng.random() < p:
                        kind = k
                        break
            if kind:
                self.injected[kind] = self.injected.get(kind, 0) + 1
            return kind


def _check(kind: str) -> None:
    if kind not in FAULT_KINDS:
        raise ValueError(f"unknown fault {kind!r} (one of {', '.join(FAULT_KINDS)})")


@dataclasses.dataclass
class Received:
    txid: str
    matter: str
    operation: str
    fields: dict
    attachments: list
    digest: str  # of the content: the same id with other content is refused (422)
    reference: str
    status: str = "received"
    reason: str | None = None
    copies: int = 1  # how many times it arrived (1 + duplicates)
    corrects: str | None = None  # 补正: the transaction this one corrects
    corrected_by: str | None = None  # the correction that answered this one's needs_correction


Decision = tuple[str, str | None]  # ("pass" | "needs_correction" | "reject" | "hold", reason)


class JurisdictionState:
    """Thread-safe memory of one simulated jurisdiction."""

    def __init__(self, code: str = "sim", *, prereview: str = "pass"):
        self.code = code
        self.lock = threading.Lock()
        self.received: dict[str, Received] = {}
        self.attachments: dict[tuple[str, str], bytes] = {}
        self.requests = 0  # every request that reached the application (after faults)
        self.duplicates = 0
        self.in_progress: set[str] = set()
        self.default_decision: Decision = (prereview, None)
        self.decisions: dict[str, Decision] = {}
        self.rule: Callable[[Received], Decision | None] | None = None
        self.token: str | None = None  # REST: required bearer token
        self.username: str | None = None  # SOAP: required UsernameToken
        self.password: str | None = None
        self.queries: dict[str, Callable[[dict], dict]] = {"ProvidentFundBalance": _balance, "gjj-balance": _balance}
        self.faults = FaultPlan()
        self.reachable = True
        self.retry_after = RETRY_AFTER  # seconds sent with 429 and 503
        self.api_key: str | None = None  # REST back ends that want an API key header
        self.business_faults: deque[str] = deque()  # business result codes to answer next (inside HTTP 200)
        self._seq = 0

    def next_business_fault(self) -> str | None:
        with self.lock:
            return self.business_faults.popleft() if self.business_faults else None

    # ---- scripted pre-review --------------------------------------------------------------
    def set_prereview(self, decision: str, reason: str | None = None, *, txid: str | None = None) -> None:
        """Decide the remote pre-review for one transaction, or for every later one."""
        if decision not in ("pass", "needs_correction", "reject", "hold"):
            raise ValueError(f"unknown pre-review decision {decision!r}")
        with self.lock:
            if txid is None:
                self.default_decision = (decision, reason)
            else:
                self.decisions[txid] = (decision, reason)
                if txid in self.received:
                    self._apply(self.received[txid])

    def _apply(self, r: Received) -> None:
        d = self.decisions.get(r.txid) or (self.rule(r) if self.rule else None) or self.default_decision
        r.status, r.reason = {"pass": "prereview_passed", "needs_correction": "needs_correction",
                              "reject": "rejected", "hold": "received"}[d[0]], d[1]

    def complete(self, txid: str) -> None:
        with self.lock:
            self.received[txid].status = "completed"

    # ---- submissions ----------------------------------------------------------------------
    def submit(self, txid: str, matter: str, operation: str, fields: dict, attachments: list) -> tuple[int, dict]:
        """(HTTP-like code, answer): 201 new, 200 duplicate with the original answer, 409 in
        progress, 422 same id with other content, 400 missing attachment."""
        digest = hashlib.sha256(json.dumps([matter, operation, fields, attachments], sort_keys=True,
                                           ensure_ascii=False).encode()).hexdigest()
        with self.lock:
            self.requests += 1
            old = self.received.get(txid)
            if old is not None:
                if old.digest != digest:
                    return 422, {"error": "transaction id reused with different content"}
                old.copies += 1
                self.duplicates += 1
                return 200, {"reference": old.reference, "status": old.status, "duplicate": True}
            for a in attachments:
                if (txid, a["sha256"]) not in self.attachments:
                    return 400, {"error": f"attachment {a['material']} not uploaded"}
            self._seq += 1
            r = Received(txid, matter, operation, dict(fields), list(attachments), digest,
                         reference=f"{self.code.upper()}-{self._seq:06d}")
            self._apply(r)
            self.received[txid] = r
            orig = self.received.get(fields.get("corrects") or "")
            if orig is not None and orig is not r:  # a correction (补正): linked, the original back under review
                r.corrects, orig.corrected_by = orig.txid, txid
                if orig.status == "needs_correction":
                    orig.status, orig.reason = "received", None
            return 201, {"reference": r.reference, "status": r.status, "duplicate": False}

    def upload(self, txid: str, sha256: str, data: bytes) -> tuple[int, dict]:
        if hashlib.sha256(data).hexdigest() != sha256:
            return 422, {"error": "content does not match its sha256"}
        with self.lock:
            self.requests += 1
            dup = (txid, sha256) in self.attachments
            self.attachments[(txid, sha256)] = data
            return (200 if dup else 201), {"stored": True, "duplicate": dup}

    def status(self, txid: str) -> dict | None:
        with self.lock:
            r = self.received.get(txid)
            return None if r is None else {"status": r.status, "reason": r.reason, "reference": r.reference}

    def query(self, operation: str, params: dict) -> dict | None:
        """A query's answer: a handler registered for the operation (or the last segment of a REST
        path), else a generic record for any operation named like a query."""
        fn = self.queries.get(operation) or self.queries.get(operation.rstrip("/").rsplit("/", 1)[-1])
        if fn is not None:
            return fn(params)
        low = operation.lower()
        if "query" not in low and "balance" not in low:
            return None
        return _generic(operation, params)

    # ---- for tests ------------------------------------------------------------------------
    def delivered_ids(self) -> set[str]:
        with self.lock:
            return set(self.received)


def _generic(operation: str, params: dict) -> dict:
    """A plausible, stable record for any query: figures derived from the operation and the person."""
    who = str(params.get("certNo") or params.get("id_number") or "")
    h = int(hashlib.sha256((operation + who).encode()).hexdigest()[:8], 16)
    return {"result": "ok", "operation": operation, "balance": f"{h % 200000 / 100:.2f}",
            "months_paid": str(h % 240), "as_of": "2026-11-26"}


def _balance(params: dict) -> dict:
    """A provident fund balance derived from the ID number, so each resident sees a stable figure."""
    idn = str(params.get("id_number", ""))
    h = int(hashlib.sha256(idn.encode()).hexdigest()[:8], 16)
    return {"balance": f"{h % 200000 / 100:.2f}", "currency": "CNY", "as_of": "2026-11-26"}
