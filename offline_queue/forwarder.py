"""The forwarder: leases due items, sends them through their jurisdiction's transport with
bounded concurrency, and records delivered / retry later (persisted backoff) / dead. One per
outbox folder (a lock file); its own thread, or driven step by step with run_due() in tests."""
from __future__ import annotations

import collections
import concurrent.futures as cf
import contextlib
import fcntl
import logging
import os
import random
import threading
import time
from typing import Callable, Literal, Mapping

from offline_queue import limits
from offline_queue.schedule import Breaker, backoff_delay
from offline_queue.store import INTERNAL_ERROR, Store
from offline_queue.transports.common import Transport
from offline_queue.types import Dead, Delivered, ItemInfo, OutboxError, Outcome, Retry

log = logging.getLogger(__name__)
LOCK_NAME = "forwarder.lock"
PURGE_EVERY = 3600.0  # s: how often the running worker purges delivered payloads past retention
AckMode = Literal["completed", "each", "round"]


class Forwarder:
    def __init__(self, store: Store, transports: Mapping[str, Transport], *, concurrency: int = limits.CONCURRENCY,
                 rand: Callable[[], float] = random.random, on_change: Callable[[], None] | None = None,
                 lease_batch: int = limits.LEASE_BATCH, monotonic: Callable[[], float] = time.monotonic,
                 ack: AckMode = "completed"):
        """`ack` says when outcomes are committed: "completed" (the default) commits together the
        outcomes of every send that completed since the last commit, before their workers take
        another item, so a kill loses at most the sends in flight; "each" commits every outcome
        alone; "round" commits a whole round at its end (one fsync a round, but a forwarder killed
        more often than a round lasts never records anything). The bench compares the three."""
        if ack not in ("completed", "each", "round"):
            raise ValueError(f"ack={ack!r}: one of completed, each, round")
        self.ack = ack
        self.store = store
        self.monotonic = monotonic
        self._beat = monotonic()  # the worker's last sign of life: a round, a send, an idle wake-up
        self.transports = dict(transports)
        self.concurrency = max(1, concurrency)
        self.lease_batch = max(self.concurrency, lease_batch)
        self.rand = rand
        self.on_change = on_change
        self.breakers: dict[str, Breaker] = {code: Breaker() for code in self.transports}
        self._breaker_lock = threading.Lock()
        self._pool = cf.ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="outbox-send")
        self._cond = threading.Condition()
        self._kick = False
        self._stop = False
        self._thread: threading.Thread | None = None
        self._lockfd: int | None = None
        self._last_purge: float | None = None
        self.reachable: dict[str, bool] = {code: True for code in self.transports}

    # ---- one step (tests drive this) ------------------------------------------------------
    def run_due(self) -> int:
        """One round: expired leases back to queued, lease what is due (open breakers skipped,
        one probe per half-open breaker), send in parallel, record outcomes. Returns items sent."""
        self.store.release_expired()
        now = self.store.now()
        exclude, probing = [], []
        with self._breaker_lock:
            for code, b in self.breakers.items():
                st = b.state(now)
                if st != "closed":
                    exclude.append(code)
                    if st == "half_open" and not b.probing:
                        probing.append(code)
        items = self.store.lease(self.lease_batch, exclude=exclude)
        for code in probing:
            got = self.store.lease(1, jurisdiction=code)
            if got:
                with self._breaker_lock:
                    self.breakers[code].allow(now)
                items.extend(got)
        if not items:
            return 0
        if self.ack == "round":
            acks = [a for a in self._pool.map(self._send_one, items) if a is not None]
            if acks:
                self.store.ack_many(acks)
        else:
            self._send_acking(items)
        self._changed()
        return len(items)

    def _changed(self) -> None:
        if self.on_change:
            try:
                self.on_change()
            except Exception:
                log.exception("outbox change listener failed")

    def _send_acking(self, items: list[ItemInfo]) -> None:
        """At most `concurrency` sends in flight. When sends complete, their outcomes are committed
        (one fsync for all that completed meanwhile) before their workers take the next items: a
        kill loses only the sends on the wire, whose items are sent again under the same ids. The
        sends still running go on during the commit. A Ctrl-C or SystemExit inside a send still
        commits what completed before it goes up."""
        todo = collections.deque(items)
        running: dict[cf.Future, ItemInfo] = {}
        while todo or running:
            while todo and len(running) < self.concurrency:
                item = todo.popleft()
                running[self._pool.submit(self._send_one, item)] = item
            done, _ = cf.wait(running, return_when=cf.FIRST_COMPLETED)
            acks, raised = [], None
            for f in done:
                del running[f]
                try:
                    a = f.result()
                except BaseException as e:  # noqa: BLE001 - _send_one catches Exception; this is Ctrl-C or exit
                    raised = raised or e
                    continue
                if a is not None:
                    acks.append(a)
            if acks:
                if self.ack == "each":
                    for a in acks:
                        self.store.ack_many([a])
                else:
                    self.store.ack_many(acks)
                self._changed()  # a kiosk waiting on a resident's submission learns at once
            if raised is not None:
                raise raised

    def forward_once(self, *, max_rounds: int = 1_000_000) -> dict[str, int]:
        """Drain what is due now (retries scheduled later are left for later). Returns counts.
        Takes no lock: the caller holds it (run_once, the worker) or is a test driving rounds."""
        for _ in range(max_rounds):
            if self.run_due() == 0:
                break
        return self.store.counts()

    def run_once(self, *, max_rounds: int = 1_000_000) -> dict[str, int]:
        """`queue forward --once`: as a started forwarder does, take the outbox's forwarder lock
        (OutboxError if another forwarder runs), give back the leases a crashed one held, drain
        what is due, purge what is past retention, and give back its own leases and the lock
        however it ends (a Ctrl-C included)."""
        self._acquire()
        try:
            counts = self.forward_once(max_rounds=max_rounds)
            self._last_purge = None
            self._maybe_purge()
            return counts
        finally:
            self._release()

    def _send_one(self, item: ItemInfo) -> tuple[str, str, tuple] | None:
        """Send one leased item; returns its ack for the commit (None: given back)."""
        code = item.jurisdiction
        breaker = self.breakers.get(code)
        now = self.store.now()
        if breaker is not None:
            with self._breaker_lock:
                st = breaker.state(now)
                blocked = st == "open" or (st == "half_open" and not breaker.probing)
            if blocked:  # its breaker opened during this round: give it back, not an attempt
                self.store.unlease(item.txid, breaker.reopens_at() or now)
                return None
        transport = self.transports.get(code)
        if transport is None:
            return self._record(item, Dead(f"no endpoint configured for jurisdiction {code!r}"))
        try:
            request = self.store.load_request(item.txid)
            outcome: Outcome = transport.send(request, lambda ref: self.store.read_attachment(item.txid, ref))
        except OutboxError as e:  # unreadable sealed item, missing attachment: needs a technician
            outcome = Dead(str(e))
        except Exception as e:  # a bug: keep the item, say what happened
            log.exception("sending %s failed unexpectedly", item.txid)
            outcome = Retry(f"{INTERNAL_ERROR} {type(e).__name__}: {e}")
        try:
            return self._record(item, outcome)
        except Exception as e:  # never lose the round's other outcomes over one item's bookkeeping
            log.exception("recording the outcome of %s failed", item.txid)
            return (item.txid, "retry", (f"{INTERNAL_ERROR} {type(e).__name__}: {e}", self.store.now() + limits.BACKOFF_CAP))

    def _record(self, item: ItemInfo, outcome: Outcome) -> tuple[str, str, tuple]:
        """The breaker learns at once (so the rest of the round sees it); the store at the round's end."""
        code = item.jurisdiction
        now = self.store.now()
        breaker = self.breakers.get(code)
        if isinstance(outcome, Delivered):
            ack = (item.txid, "delivered", (outcome.reference,))
            log.info("delivered %s to %s (%s)%s", item.txid, code, outcome.reference, " duplicate" if outcome.duplicate else "")
            ok = True
        elif isinstance(outcome, Retry):
            # the remote's failures, this one included: leases our own crashes gave back do not count
            delay = backoff_delay(item.failures + 1, rand=self.rand, retry_after=outcome.retry_after)
            ack = (item.txid, "retry", (outcome.reason, now + delay))
            log.warning("retry %s to %s in %.0fs: %s", item.txid, code, delay, outcome.reason)
            ok = False
        else:
            ack = (item.txid, "dead", (outcome.reason,))
            log.error("dead %s to %s: %s", item.txid, code, outcome.reason)
            ok = True  # the endpoint answered: it is up
        self._beat = self.monotonic()
        if breaker is not None:
            with self._breaker_lock:
                if ok:
                    breaker.success()
                else:
                    breaker.failure(now)
                self.reachable[code] = ok or not (isinstance(outcome, Retry) and outcome.network)
        return ack

    # ---- waking ---------------------------------------------------------------------------
    def wake(self) -> None:
        """A new item arrived: look at once."""
        with self._cond:
            self._kick = True
            self._cond.notify_all()

    def network_up(self, jurisdiction: str | None = None) -> None:
        """The network came back: close the breakers, make waiting items due now, look at once."""
        with self._breaker_lock:
            for code, b in self.breakers.items():
                if jurisdiction in (None, code):
                    b.reset()
                    self.reachable[code] = True
        self.store.reschedule_now(jurisdiction)
        self.wake()

    def breaker_state(self, code: str) -> str:
        b = self.breakers.get(code)
        return "closed" if b is None else b.state(self.store.now())

    # ---- the worker thread ----------------------------------------------------------------
    def _acquire(self) -> None:
        """Take the folder's forwarder lock (one forwarder per outbox: the kiosk's, `queue forward`
        or `queue forward --once`) and give back the leases a crashed predecessor held."""
        path = os.path.join(self.store.folder, LOCK_NAME)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise OutboxError(f"{path}: another forwarder runs on this outbox (the kiosk's or a `queue forward`); "
                              "stop it first") from None
        with contextlib.suppress(OSError):
            os.fchmod(fd, 0o600)
        self._lockfd = fd
        try:
            self.store.release_all()
        except BaseException:
            self._release(give_back=False)
            raise

    def _release(self, *, give_back: bool = True) -> None:
        """Give back the leases still held (an interrupted round's), then the lock. Only the lock
        holder may: another process's leases are its own business."""
        if self._lockfd is None:
            return
        try:
            if give_back:
                n = self.store.release_all()
                if n:
                    log.info("gave back %d leases on the way out", n)
        except Exception as e:
            log.error("forwarder: could not give back its leases (they expire on their own): %s", e)
        finally:
            os.close(self._lockfd)
            self._lockfd = None

    def start(self) -> None:
        """Take the folder's forwarder lock (one forwarder per outbox), give back the leases a
        crashed predecessor held, and run in a thread."""
        self._acquire()
        self._stop = False
        self._beat = self.monotonic()
        self._thread = threading.Thread(target=self._loop, name="outbox-forwarder", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while True:
            self._beat = self.monotonic()
            with self._cond:
                if self._stop:
                    return
                self._kick = False
            try:
                sent = self.run_due()
                self._maybe_purge()
            except OutboxError as e:
                log.error("forwarder: %s", e)
                sent = 0
            except Exception:
                log.exception("forwarder round failed")
                sent = 0
            if sent:
                continue
            with self._cond:
                if self._stop:
                    return
                if not self._kick:
                    self._cond.wait(self._idle_wait())

    def stalled(self, after: float = limits.STALL_AFTER) -> str | None:
        """Why the worker thread is not working (it died, or no sign of life for `after` s), or
        None. The service stops feeding systemd's watchdog on this, so systemd restarts it."""
        if self._thread is None:
            return None
        if not self._thread.is_alive():
            return "the forwarder thread ended"
        quiet = self.monotonic() - self._beat
        return f"no sign of life from the forwarder thread for {quiet:.0f} s" if quiet > after else None

    def _idle_wait(self) -> float:
        now = self.store.now()
        with self._breaker_lock:
            open_codes = [c for c, b in self.breakers.items() if b.state(now) == "open"]
            reopen = [b.reopens_at() for b in self.breakers.values() if b.state(now) == "open"]
        due = self.store.next_due(exclude=open_codes)
        times = [t for t in (due, *reopen) if t is not None]
        if not times:
            return limits.IDLE_POLL
        return max(0.05, min(limits.IDLE_POLL, min(times) - now))

    def _maybe_purge(self) -> None:
        now = self.store.now()
        if self._last_purge is None or now - self._last_purge >= PURGE_EVERY:
            self._last_purge = now
            n = self.store.purge()
            if n:
                log.info("purged the payloads of %d delivered items past retention", n)

    def stop(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(30)
            self._thread = None
        self._pool.shutdown(wait=True)
        self._release()
