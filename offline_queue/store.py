"""The durable outbox store: SQLite (WAL, synchronous=FULL) plus sealed attachment files.
Submit writes the files and the row as one unit; lease → send → ack; purge after retention."""
from __future__ import annotations

import contextlib
import dataclasses
import errno
import hashlib
import hmac
import json
import os
import shutil
import sqlite3
import stat
import threading
import time
from typing import Callable, Iterator, Sequence

from offline_queue import schema
from offline_queue.crypto import Sealer, load_key
from offline_queue.limits import (BUSY_TIMEOUT_MS, KEEP_DELIVERED_DAYS, LAST_ERROR_MAX, LEASE_SECONDS, MAX_ATTACHMENT_BYTES,
                                  RETENTION_DAYS, WAL_AUTOCHECKPOINT_PAGES)
from offline_queue.types import (
    ITEM_KINDS, STATES, AttachmentIn, AttachmentRef, CorruptStoreError, ItemInfo, OutboxError, RemoteStatus, Request,
    ItemKind, StoreFullError, WrongKeyError,
)

DB_NAME = "outbox.sqlite3"
ATTACH_DIR = "attachments"
INTERNAL_ERROR = "internal error:"  # how the forwarder's last_error starts after an unexpected exception
MARKER_NAME = "outbox.marker"  # beside the database: "this outbox exists"; its loss is never a fresh start
ORPHAN_AGE = 3600.0  # s: a staged attachment folder with no row, older than this, is from a crash
_KEYCHECK_AAD = "outbox-key-check"
_COLS = ("txid, matter, jurisdiction, tracking, state, attempts, next_attempt_at, lease_until, last_error, "
         "remote_ref, remote_state, remote_reason, created_at, updated_at, delivered_at, purged_at, attachments, failures, kind")


_INSERT = ("INSERT INTO items (txid, matter, jurisdiction, tracking, subject_tag, state, attempts, next_attempt_at, "
           "created_at, updated_at, payload, attachments) VALUES (?,?,?,?,?,'queued',0,?,?,?,?,?)")
# an item of another kind than the column's default (application): an evaluation
_INSERT_KIND = _INSERT.replace("attachments)", "attachments, kind)").replace("?,?)", "?,?,?)")


def _info(row: Sequence) -> ItemInfo:
    return ItemInfo(*row[:16], attachments=_refs(row[16]), failures=row[17], kind=row[18])


def _refs(column) -> tuple[AttachmentRef, ...]:
    """The attachments column, for display only (what is sent comes from the sealed request): a
    damaged one reads as none rather than failing every lease, list and show that meets the row."""
    try:
        return tuple(AttachmentRef(**a) for a in json.loads(column))
    except (ValueError, TypeError):
        return ()


def _fsync_dir(path: str) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _private(path: str, mode: int) -> None:
    """chmod to `mode` when it differs: an outbox made by an older version, or under a permissive
    umask, is tightened at the next open. A path we may not chmod is left as it is."""
    try:
        if stat.S_IMODE(os.stat(path).st_mode) != mode:
            os.chmod(path, mode)
    except FileNotFoundError:
        pass
    except PermissionError:
        pass


def _private_tree(root: str) -> None:
    for d, dirs, files in os.walk(root):
        for n in dirs:
            _private(os.path.join(d, n), 0o700)
        for n in files:
            _private(os.path.join(d, n), 0o600)


def _full(e: BaseException) -> bool:
    if isinstance(e, OSError) and e.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return True
    return isinstance(e, sqlite3.Error) and ("full" in str(e) or getattr(e, "sqlite_errorcode", 0) == 13)


class Store:
    """One outbox in `folder`. Thread-safe (one connection behind a lock); several processes may
    open the same folder (a CLI submit beside the kiosk's forwarder)."""

    def __init__(self, folder: str, key_path: str, *, now: Callable[[], float] = time.time,
                 retention_days: float = RETENTION_DAYS, keep_delivered_days: float = KEEP_DELIVERED_DAYS):
        self.folder = folder
        self.path = os.path.join(folder, DB_NAME)
        self.attach_root = os.path.join(folder, ATTACH_DIR)
        self.now = now
        self.retention = retention_days * 86400.0
        self.keep_delivered = max(keep_delivered_days, retention_days) * 86400.0
        key = load_key(key_path)
        self._sealer = Sealer(key)
        self._subject_key = hmac.new(key, b"subject-tag", hashlib.sha256).digest()
        self._subject_mac = hmac.new(self._subject_key, digestmod=hashlib.sha256)  # keyed once, copied per use
        self.marker = os.path.join(folder, MARKER_NAME)
        self._lock = threading.RLock()
        try:
            self._make_private_folders()
        except OSError as e:
            raise (StoreFullError if _full(e) else OutboxError)(f"{self.attach_root}: cannot create: {e.strerror}") from None
        self._refuse_if_lost()  # before SQLite may create a file where the outbox's database was
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            os.close(fd)  # a new database starts 0600; SQLite gives its WAL and SHM the database's mode
        except FileExistsError:
            pass
        except OSError as e:
            raise (StoreFullError if _full(e) else OutboxError)(f"{self.path}: cannot create: {e.strerror}") from None
        for p in (self.path, self.path + "-wal", self.path + "-shm", self.marker):
            _private(p, 0o600)
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)
            self._db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            self._refuse_if_unmade()  # before journal_mode=WAL writes to it
            mode = self._db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise OutboxError(f"{self.path}: cannot switch to WAL mode (got {mode})")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT_PAGES}")
            ok = self._db.execute("PRAGMA quick_check").fetchone()[0]
            if ok != "ok":
                raise sqlite3.DatabaseError(ok)
            self._migrate()
            self._check_key()
        except sqlite3.DatabaseError as e:
            with contextlib.suppress(Exception):
                self._db.close()
            if _full(e):
                raise StoreFullError(f"{self.path}: disk full while opening the outbox ({e})") from None
            raise CorruptStoreError(
                f"{self.path}: the outbox database is damaged ({e}); the file was left in place for a technician") from None
        except BaseException:
            with contextlib.suppress(Exception):
                self._db.close()
            raise
        try:
            self._write_marker()
        except OSError as e:
            self.close()
            raise (StoreFullError if _full(e) else OutboxError)(f"{self.marker}: cannot write: {e.strerror}") from None

    # ---- opening --------------------------------------------------------------------------
    def _make_private_folders(self) -> None:
        os.makedirs(self.attach_root, mode=0o700, exist_ok=True)
        _private(self.folder, 0o700)  # makedirs gives a folder it makes on the way the umask's mode
        loose = stat.S_IMODE(os.stat(self.attach_root).st_mode) != 0o700
        _private(self.attach_root, 0o700)
        if loose:  # an older or hand-copied outbox: its attachment folders and files too
            _private_tree(self.attach_root)

    def _evidence(self) -> list[str]:
        """What says this outbox held applications, apart from its database."""
        why = []
        if os.path.exists(self.marker):
            why.append(f"its marker {MARKER_NAME} is there")
        try:
            n = sum(1 for e in os.scandir(self.attach_root) if e.is_dir())
        except OSError:
            n = 0
        if n:
            why.append(f"{n} attachment folder{'s' if n > 1 else ''} remain")
        with contextlib.suppress(OSError):
            if os.path.getsize(self.path + "-wal") > 0:
                why.append(f"its write-ahead log {DB_NAME}-wal remains")
        return why

    def _lost(self, what: str, why: list[str]) -> CorruptStoreError:
        return CorruptStoreError(
            f"{self.path}: the outbox database is {what}, but this outbox held applications ({'; '.join(why)}): "
            f"refused, nothing was created or deleted; restore the outbox from the kiosk's latest backup (made by "
            f"`kiosk-admin queue backup`: stop the kiosk, move {self.folder} aside, copy the backup folder in its place; "
            f"same key), or if every application in it is accounted for, move {self.folder} aside for an empty outbox")

    def _refuse_if_lost(self) -> None:
        """A missing or emptied database beside a marker or attachment folders is a lost outbox,
        never a new one: SQLite would make an empty database there and the sweep would then delete
        the attachments of every application in it as orphans."""
        try:
            size = os.path.getsize(self.path)
        except FileNotFoundError:
            size = None
        if size:
            return
        why = self._evidence()
        if why:
            raise self._lost("missing" if size is None else "empty (0 bytes)", why)

    def _refuse_if_unmade(self) -> None:
        """A database file with no outbox in it (schema 0: replaced by an empty one) where the
        outbox existed is as lost as a missing one."""
        have = self._db.execute("PRAGMA user_version").fetchone()[0]
        if have == 0 and not self._db.execute("SELECT 1 FROM sqlite_master WHERE name='items'").fetchone():
            why = self._evidence()
            if why:
                raise self._lost("one without an outbox in it (schema 0)", why)

    def _write_marker(self) -> None:
        """Made once, durably, when the outbox is new (or was made before markers existed)."""
        if os.path.exists(self.marker):
            return
        tmp = f"{self.marker}.{os.getpid()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, json.dumps({"database": DB_NAME, "since": self.now()}).encode() + b"\n")
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, self.marker)
        _fsync_dir(self.folder)

    def _migrate(self) -> None:
        with self._tx():
            have = self._db.execute("PRAGMA user_version").fetchone()[0]
            if have > schema.LATEST:
                raise OutboxError(f"{self.path}: made by a newer kiosk version (schema {have} > {schema.LATEST}); not touched")
            for version, stmts in schema.MIGRATIONS:
                if version <= have:
                    continue
                for s in stmts:
                    self._db.execute(s)
                self._db.execute(f"PRAGMA user_version={version}")

    def _check_key(self) -> None:
        row = self._db.execute("SELECT value FROM meta WHERE key='keycheck'").fetchone()
        if row is None:
            with self._tx():
                self._db.execute("INSERT OR IGNORE INTO meta VALUES ('keycheck', ?)",
                                 (self._sealer.seal(b"ok", _KEYCHECK_AAD),))
            return
        try:
            self._sealer.open(row[0], _KEYCHECK_AAD)
        except WrongKeyError:
            raise WrongKeyError(f"{self.path}: the outbox key does not open this outbox (another kiosk's key, "
                                "or the key file was replaced); nothing was read or changed") from None

    def _write(self, sql: str, args: Sequence, *, fetch: bool = False, synced: bool = True) -> list | int:
        """One statement as its own write transaction (`_tx` is for several): every single write,
        submit, lease and ack among them. SQLite runs a lone statement in autocommit mode as one
        transaction that takes the write lock up front, waits on the busy timeout and rolls back
        whole on an error, as BEGIN IMMEDIATE ... COMMIT would, without two more round trips
        through the sqlite3 module on the submit path. Returns the rows (fetch=True, for
        RETURNING: read to the end, which commits) or the count of rows changed.

        synced=False commits without an fsync (synchronous=NORMAL for this one commit): only for
        changes a power cut may undo harmlessly. The WAL is written in order, so the next synced
        commit makes this one durable too; a cut before that loses it and nothing later."""
        with self._lock:
            db = self._db
            if synced:
                cur = db.execute(sql, args)
                return cur.fetchall() if fetch else cur.rowcount
            db.execute("PRAGMA synchronous=NORMAL")
            try:
                cur = db.execute(sql, args)
                return cur.fetchall() if fetch else cur.rowcount
            finally:
                db.execute("PRAGMA synchronous=FULL")

    @contextlib.contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once (BEGIN IMMEDIATE) so two processes queue up on the
        busy timeout instead of failing half-way."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    self._db.execute("ROLLBACK")
                raise
            else:
                try:
                    self._db.execute("COMMIT")
                except BaseException:
                    with contextlib.suppress(sqlite3.Error):
                        self._db.execute("ROLLBACK")
                    raise

    def close(self) -> None:
        with self._lock:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()

    def subject_tag(self, subject: str) -> str:
        """A keyed hash of an ID number: the row can be found by it, the number cannot be read back."""
        mac = self._subject_mac.copy()
        mac.update(subject.strip().upper().encode("utf-8"))
        return mac.hexdigest()

    # ---- submit ---------------------------------------------------------------------------
    def submit(self, request: Request, *, jurisdiction: str, tracking: str, subject: str | None = None,
               attachments: Sequence[AttachmentIn] = (), kind: ItemKind = "application") -> ItemInfo:
        """Seal and queue one request with its attachments, durably, as one unit. Submitting an id
        that is queued already returns the existing item unchanged (the caller retried). `kind`:
        an application, or an evaluation (好差评: never with a subject)."""
        if kind not in ITEM_KINDS:
            raise ValueError(f"unknown item kind {kind!r} (one of {', '.join(ITEM_KINDS)})")
        if attachments:  # do not write files for an id that is queued already
            existing = self.get(request.txid)
            if existing is not None:
                return existing
        now = self.now()
        txdir = os.path.join(self.attach_root, request.txid) if attachments else ""
        refs: list[AttachmentRef] = []
        try:
            if attachments:
                refs = self._write_attachments(request.txid, txdir, attachments)
            req = dataclasses.replace(request, attachments=tuple(refs)) if attachments else request
            sealed = self._sealer.seal(req.dumps(), request.txid)
            tag = self.subject_tag(subject) if subject else None
            row = (request.txid, request.matter, jurisdiction, tracking, tag, now, now, now, sealed,
                   json.dumps([dataclasses.asdict(r) for r in refs]) if refs else "[]")
            self._write(*((_INSERT, row) if kind == "application" else (_INSERT_KIND, (*row, kind))))
        except BaseException as e:
            if attachments and not isinstance(e, sqlite3.IntegrityError):  # a duplicate's files are the other's
                shutil.rmtree(txdir, ignore_errors=True)
            if _full(e):
                raise StoreFullError(f"{self.folder}: disk full: the application was not queued "
                                     "(everything queued before is intact)") from None
            if isinstance(e, sqlite3.IntegrityError):  # another process queued the same id just now
                got = self.get(request.txid)
                if got is not None:
                    return got
            if isinstance(e, sqlite3.DatabaseError) and not isinstance(e, sqlite3.OperationalError):
                raise CorruptStoreError(f"{self.path}: the outbox database is damaged ({e}); file left in place") from None
            if isinstance(e, sqlite3.Error):  # locked past the busy timeout, I/O error: nothing was queued
                raise OutboxError(f"{self.path}: the application was not queued: {e}") from None
            if isinstance(e, OSError):
                raise OutboxError(f"{self.folder}: cannot write the application: {e.strerror}") from None
            raise
        return ItemInfo(request.txid, request.matter, jurisdiction, tracking, "queued", 0, now, None, None, None,
                        None, None, now, now, None, None, tuple(refs), kind=kind)

    def _write_attachments(self, txid: str, txdir: str, attachments: Sequence[AttachmentIn]) -> list[AttachmentRef]:
        os.makedirs(txdir, mode=0o700, exist_ok=True)
        refs = []
        for a in attachments:
            size = os.path.getsize(a.path)
            if size > MAX_ATTACHMENT_BYTES:
                raise OutboxError(f"attachment {a.material}: {size} bytes is more than {MAX_ATTACHMENT_BYTES}")
            with open(a.path, "rb") as f:
                data = f.read()
            sha = hashlib.sha256(data).hexdigest()
            ref = AttachmentRef(a.material, sha, len(data), a.content_type)
            final = self._attachment_path(txid, ref)
            tmp = final + ".tmp"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                blob = self._sealer.seal(data, f"{txid}/{sha}")  # same content under two materials: one file
                view = memoryview(blob)
                while view:
                    n = os.write(fd, view)
                    view = view[n:]
                os.fsync(fd)
            finally:
                os.close(fd)
            os.rename(tmp, final)
            refs.append(ref)
        _fsync_dir(txdir)
        _fsync_dir(self.attach_root)
        return refs

    def _attachment_path(self, txid: str, ref: AttachmentRef) -> str:
        return os.path.join(self.attach_root, txid, f"{ref.sha256}.sealed")

    # ---- reading --------------------------------------------------------------------------
    def get(self, txid: str) -> ItemInfo | None:
        with self._lock:
            row = self._db.execute(f"SELECT {_COLS} FROM items WHERE txid=?", (txid,)).fetchone()
        return _info(row) if row else None

    def load_request(self, txid: str) -> Request:
        """The sealed request, opened. Raises OutboxError when it was purged."""
        with self._lock:  # typeof first: a TEXT payload that is not UTF-8 would fail the fetch itself
            row = self._db.execute("SELECT typeof(payload), CASE WHEN typeof(payload)='blob' THEN payload END "
                                   "FROM items WHERE txid=?", (txid,)).fetchone()
        if row is None:
            raise OutboxError(f"no transaction {txid} in the outbox")
        kind, blob = row
        if kind == "null":
            raise OutboxError(f"transaction {txid}: payload purged after delivery and retention")
        if kind != "blob":
            raise OutboxError(f"transaction {txid}: its sealed request is damaged in the database (a {kind} value, "
                              "not a sealed blob); it cannot be read or sent")
        data = self._sealer.open(blob, txid)
        try:
            return Request.loads(data)
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            raise OutboxError(f"transaction {txid}: its sealed request opens but is not a request "
                              f"({type(e).__name__}); it cannot be sent") from None

    def read_attachment(self, txid: str, ref: AttachmentRef) -> bytes:
        path = self._attachment_path(txid, ref)
        try:
            with open(path, "rb") as f:
                blob = f.read()
        except FileNotFoundError:
            raise OutboxError(f"transaction {txid}: attachment {ref.material} missing from {path}") from None
        data = self._sealer.open(blob, f"{txid}/{ref.sha256}")
        if hashlib.sha256(data).hexdigest() != ref.sha256:
            raise OutboxError(f"transaction {txid}: attachment {ref.material} does not match its hash")
        return data

    def list(self, state: str | None = None, *, limit: int = 1000, jurisdiction: str | None = None,
             kind: str | None = None) -> list[ItemInfo]:
        if state is not None and state not in STATES:
            raise ValueError(f"unknown state {state!r} (one of {', '.join(STATES)})")
        where, args = [], []
        if kind:
            where.append("kind=?"), args.append(kind)
        if state:
            where.append("state=?"), args.append(state)
        if jurisdiction:
            where.append("jurisdiction=?"), args.append(jurisdiction)
        sql = f"SELECT {_COLS} FROM items" + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY seq LIMIT ?"
        with self._lock:
            return [_info(r) for r in self._db.execute(sql, (*args, limit))]

    def find(self, *, subject: str | None = None, tracking: str | None = None) -> list[ItemInfo]:
        if subject:
            sql, arg = f"SELECT {_COLS} FROM items WHERE subject_tag=? ORDER BY seq", self.subject_tag(subject)
        elif tracking:
            t = tracking.strip().upper()
            prefix = t[6:14].lower() if len(t) == 14 else ""
            if len(prefix) != 8 or any(c not in "0123456789abcdef" for c in prefix):
                return []
            with self._lock:  # YYMMDD + the id's first 8 hex digits: a range on the txid index
                return [_info(r) for r in self._db.execute(
                    f"SELECT {_COLS} FROM items WHERE txid >= ? AND txid < ? AND tracking=? ORDER BY seq",
                    (prefix, prefix + "g", t))]
        else:
            return []
        with self._lock:
            return [_info(r) for r in self._db.execute(sql, (arg,))]

    def counts(self) -> dict[str, int]:
        with self._lock:
            got = dict(self._db.execute("SELECT state, count(*) FROM items GROUP BY state").fetchall())
        return {s: got.get(s, 0) for s in STATES}

    def stats(self) -> dict:
        """Counts by state, the oldest queued item's age, and counts per jurisdiction."""
        now = self.now()
        with self._lock:
            per = self._db.execute("SELECT jurisdiction, state, count(*) FROM items GROUP BY jurisdiction, state").fetchall()
            oldest = self._db.execute("SELECT min(created_at) FROM items WHERE state IN ('queued','sending')").fetchone()[0]
            failing = self._db.execute(
                "SELECT count(*) FROM items WHERE state IN ('queued','sending') AND last_error LIKE ? || '%'",
                (INTERNAL_ERROR,)).fetchone()
            last = self._db.execute(
                "SELECT last_error FROM items WHERE state IN ('queued','sending') AND last_error LIKE ? || '%' "
                "ORDER BY updated_at DESC LIMIT 1", (INTERNAL_ERROR,)).fetchone() if failing[0] else None
        jur: dict[str, dict[str, int]] = {}
        for j, s, n in per:
            jur.setdefault(j, {k: 0 for k in STATES})[s] = n
        return {"counts": self.counts(), "oldest_queued_age": None if oldest is None else max(0.0, now - oldest),
                "jurisdictions": jur,
                # items retried after a bug of ours (not the remote's answer): a technician must hear of it
                "internal_errors": {"count": failing[0], "last": last[0] if last else None}}

    def next_due(self, exclude: Sequence[str] = ()) -> float | None:
        """When the earliest queued item falls due (or the earliest lease expires)."""
        q = "SELECT min(next_attempt_at) FROM items WHERE state='queued'"
        args: tuple = ()
        if exclude:
            q += f" AND jurisdiction NOT IN ({','.join('?' * len(exclude))})"
            args = tuple(exclude)
        with self._lock:
            due = self._db.execute(q, args).fetchone()[0]
            lease = self._db.execute("SELECT min(lease_until) FROM items WHERE state='sending'").fetchone()[0]
        vals = [v for v in (due, lease) if v is not None]
        return min(vals) if vals else None

    # ---- the forwarder's side -------------------------------------------------------------
    def lease(self, limit: int, *, exclude: Sequence[str] = (), jurisdiction: str | None = None,
              lease_seconds: float = LEASE_SECONDS) -> list[ItemInfo]:
        """Mark up to `limit` due queued items as sending until now+lease_seconds; each lease is an
        attempt. Jurisdictions in `exclude` (open breakers) are skipped; `jurisdiction` picks one.

        The lease is committed without an fsync: a power cut that undoes it leaves the items
        queued, which is where the next forwarder's start (release_all) would put them anyway;
        they are sent again under the same ids and the outcome's synced commit keeps the lease
        with it. One fsync per forwarder round instead of two."""
        now = self.now()
        ex, args = "", list(exclude)
        if exclude:
            ex = f" AND jurisdiction NOT IN ({','.join('?' * len(exclude))})"
        if jurisdiction is not None:
            ex += " AND jurisdiction=?"
            args.append(jurisdiction)
        sql = (f"UPDATE items SET state='sending', lease_until=?, attempts=attempts+1, updated_at=? "
               f"WHERE seq IN (SELECT seq FROM items WHERE state='queued' AND next_attempt_at<=?{ex} "
               f"ORDER BY next_attempt_at, seq LIMIT ?) RETURNING {_COLS}")
        rows = self._write(sql, (now + lease_seconds, now, now, *args, limit), fetch=True, synced=False)
        return sorted((_info(r) for r in rows), key=lambda i: (i.next_attempt_at, i.created_at))

    # Each outcome is an UPDATE guarded by state='sending': an ack for a lease that was reclaimed
    # meanwhile (a crash, an expiry) changes nothing.
    def _delivered_sql(self, reference: str | None) -> tuple[str, tuple]:
        now = self.now()
        return ("UPDATE items SET state='delivered', remote_ref=?, remote_state=coalesce(remote_state,'received'), "
                "delivered_at=?, updated_at=?, lease_until=NULL, last_error=NULL", (reference, now, now))

    def _retry_sql(self, reason: str, next_attempt_at: float) -> tuple[str, tuple]:
        return ("UPDATE items SET state='queued', failures=failures+1, next_attempt_at=?, last_error=?, updated_at=?, "
                "lease_until=NULL",
                (next_attempt_at, reason[:LAST_ERROR_MAX], self.now()))

    def _dead_sql(self, reason: str) -> tuple[str, tuple]:
        return ("UPDATE items SET state='dead', last_error=?, updated_at=?, lease_until=NULL",
                (reason[:LAST_ERROR_MAX], self.now()))

    def _finish_many(self, updates: Sequence[tuple[str, tuple[str, tuple]]]) -> int:
        n = 0
        with self._tx() as db:
            for txid, (sql, args) in updates:
                n += db.execute(sql + " WHERE txid=? AND state='sending'", (*args, txid)).rowcount
        return n

    def _finish(self, txid: str, sql: str, args: tuple) -> bool:
        return self._write(sql + " WHERE txid=? AND state='sending'", (*args, txid)) == 1

    def ack_delivered(self, txid: str, reference: str | None) -> bool:
        return self._finish(txid, *self._delivered_sql(reference))

    def ack_retry(self, txid: str, reason: str, next_attempt_at: float) -> bool:
        return self._finish(txid, *self._retry_sql(reason, next_attempt_at))

    def ack_dead(self, txid: str, reason: str) -> bool:
        return self._finish(txid, *self._dead_sql(reason))

    def ack_many(self, acks: Sequence[tuple[str, str, tuple]]) -> int:
        """Several outcomes in one transaction (one fsync): (txid, "delivered"|"retry"|"dead", args)
        with args (reference,), (reason, next_attempt_at) or (reason,). A crash before this commits
        leaves the items leased; they are sent again under the same ids (the remote deduplicates)."""
        build = {"delivered": self._delivered_sql, "retry": self._retry_sql, "dead": self._dead_sql}
        return self._finish_many([(txid, build[kind](*args)) for txid, kind, args in acks])

    def unlease(self, txid: str, next_attempt_at: float) -> bool:
        """Give a leased item back without it counting as an attempt (its breaker opened meanwhile)."""
        return self._finish(txid, "UPDATE items SET state='queued', attempts=max(0, attempts-1), next_attempt_at=?, "
                                  "updated_at=?, lease_until=NULL", (next_attempt_at, self.now()))

    def release_expired(self) -> int:
        """Leases that outlived their sender (a crash) go back to queued, due now."""
        now = self.now()
        return self._write("UPDATE items SET state='queued', lease_until=NULL, next_attempt_at=?, updated_at=? "
                           "WHERE state='sending' AND lease_until<?", (now, now, now))

    def release_all(self) -> int:
        """Every lease back to queued: called by the one forwarder at start (it holds the lock)."""
        now = self.now()
        return self._write("UPDATE items SET state='queued', lease_until=NULL, next_attempt_at=min(next_attempt_at, ?), "
                           "updated_at=? WHERE state='sending'", (now, now))

    def reschedule_now(self, jurisdiction: str | None = None) -> int:
        """Queued items due at once (the network came back)."""
        now = self.now()
        q, args = "UPDATE items SET next_attempt_at=? WHERE state='queued' AND next_attempt_at>?", [now, now]
        if jurisdiction:
            q += " AND jurisdiction=?"
            args.append(jurisdiction)
        return self._write(q, args)

    # ---- technician and progress ----------------------------------------------------------
    def retry(self, txid: str) -> bool:
        """A dead item back to queued, due now (after a technician fixed the cause)."""
        now = self.now()
        return self._write("UPDATE items SET state='queued', failures=0, next_attempt_at=?, updated_at=? "
                           "WHERE txid=? AND state='dead'", (now, now, txid)) == 1

    def retry_dead(self) -> int:
        now = self.now()
        return self._write("UPDATE items SET state='queued', failures=0, next_attempt_at=?, updated_at=? WHERE state='dead'",
                           (now, now))

    def set_remote_status(self, txid: str, status: RemoteStatus) -> None:
        self._write("UPDATE items SET remote_state=?, remote_reason=?, remote_ref=coalesce(?, remote_ref), updated_at=? WHERE txid=?",
                    (status.state, status.reason, status.reference, self.now(), txid))

    def purge(self) -> int:
        """Delivered items older than the retention lose their payload and attachments; their
        metadata row stays for progress queries and audit until `keep_delivered` (a year by
        default), then goes, so reads do not grow with the kiosk's age. Dead items stay until a
        technician acts. Also sweeps orphaned staging folders. Returns the payloads purged."""
        now = self.now()
        cutoff = now - self.retention
        with self._lock:
            txids = [r[0] for r in self._db.execute(
                "SELECT txid FROM items WHERE state='delivered' AND delivered_at<=? AND purged_at IS NULL", (cutoff,))]
        for txid in txids:
            self._write("UPDATE items SET payload=NULL, purged_at=?, updated_at=? WHERE txid=?", (now, now, txid))
            shutil.rmtree(os.path.join(self.attach_root, txid), ignore_errors=True)
        self._write("DELETE FROM items WHERE state='delivered' AND delivered_at<=? AND purged_at IS NOT NULL",
                    (now - self.keep_delivered,))
        self._sweep_orphans()
        return len(txids)

    def _sweep_orphans(self) -> None:
        try:
            names = os.listdir(self.attach_root)
        except OSError:
            return
        with self._lock:  # folders beside a store without a single row are a lost database, not a crash's leftovers
            if self._db.execute("SELECT 1 FROM items LIMIT 1").fetchone() is None:
                return
        for name in names:
            p = os.path.join(self.attach_root, name)
            try:
                if time.time() - os.stat(p).st_mtime < ORPHAN_AGE:
                    continue
            except OSError:
                continue
            if self.get(name) is None:
                shutil.rmtree(p, ignore_errors=True)

    def integrity_check(self) -> str:
        with self._lock:
            return "; ".join(r[0] for r in self._db.execute("PRAGMA integrity_check"))

    # ---- backup -----------------------------------------------------------------------------
    def backup(self, dest: str) -> dict:
        """Copy this outbox into the new folder `dest`, consistently, while it is in use: the
        database through SQLite's online backup (a snapshot of committed rows), then the sealed
        attachment folders (written before their row commits, so every row in the snapshot finds
        its files), then the marker. Everything stays sealed: the copy opens only with this
        kiosk's key, which is not copied. Returns the copy's counts by state."""
        if os.path.exists(dest) and (not os.path.isdir(dest) or os.listdir(dest)):
            raise OutboxError(f"{dest}: exists and is not an empty folder; a backup never overwrites")
        try:
            os.makedirs(dest, mode=0o700, exist_ok=True)
            _private(dest, 0o700)
            target = os.path.join(dest, DB_NAME)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            os.close(fd)
            copy = sqlite3.connect(target)
            try:
                with self._lock:
                    self._db.backup(copy)
                copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no WAL beside it
                counts = dict(copy.execute("SELECT state, COUNT(*) FROM items GROUP BY state").fetchall())
            finally:
                copy.close()
            if os.path.isdir(self.attach_root):
                shutil.copytree(self.attach_root, os.path.join(dest, ATTACH_DIR), dirs_exist_ok=False,
                                ignore=shutil.ignore_patterns("*.tmp", "*.part"))
            else:
                os.makedirs(os.path.join(dest, ATTACH_DIR), mode=0o700)
            if os.path.exists(self.marker):
                shutil.copy2(self.marker, os.path.join(dest, MARKER_NAME))
            _private_tree(dest)
            for root, dirs, files in os.walk(dest):
                for f in files:
                    fd = os.open(os.path.join(root, f), os.O_RDONLY)
                    try:
                        os.fsync(fd)
                    finally:
                        os.close(fd)
                _fsync_dir(root)
        except (OSError, sqlite3.Error) as e:
            raise (StoreFullError if _full(e) else OutboxError)(f"{dest}: backup failed: {e}") from None
        return {s: counts.get(s, 0) for s in ("queued", "sending", "delivered", "dead")}
