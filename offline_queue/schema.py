"""The outbox's versioned migrations (PRAGMA user_version). Append, never edit or recreate:
a kiosk in the field upgrades its queue in place with applications still in it."""
from __future__ import annotations

MIGRATIONS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (1, (
        """CREATE TABLE items (
            seq             INTEGER PRIMARY KEY,
            txid            TEXT NOT NULL UNIQUE,     -- the idempotency key, for ever
            matter          TEXT NOT NULL,
            jurisdiction    TEXT NOT NULL,
            tracking        TEXT NOT NULL,            -- the number on the receipt
            subject_tag     TEXT,                     -- keyed hash of the ID number: progress lookup
            state           TEXT NOT NULL CHECK (state IN ('queued','sending','delivered','dead')),
            attempts        INTEGER NOT NULL DEFAULT 0,
            next_attempt_at REAL NOT NULL,
            lease_until     REAL,
            last_error      TEXT,
            remote_ref      TEXT,
            remote_state    TEXT,
            remote_reason   TEXT,
            created_at      REAL NOT NULL,
            updated_at      REAL NOT NULL,
            delivered_at    REAL,
            purged_at       REAL,
            payload         BLOB,                     -- sealed Request; NULL after purge
            attachments     TEXT NOT NULL DEFAULT '[]' -- JSON: material, sha256, size (no personal data)
        )""",
        "CREATE INDEX items_due ON items (state, next_attempt_at)",
        "CREATE INDEX items_subject ON items (subject_tag)",
        "CREATE INDEX items_tracking ON items (tracking)",
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL)",
    )),
    # 2: a tracking number is YYMMDD + the id's first 8 hex digits, so the unique index on txid
    # finds it by prefix; one index less to write (and fsync) on every submit.
    (2, (
        "DROP INDEX IF EXISTS items_tracking",
    )),
    # 3: finding a resident's items by ID number is rare (a progress query at the screen) and a
    # scan of a kiosk's rows takes milliseconds; the index cost every submit a fifth more time.
    (3, (
        "DROP INDEX IF EXISTS items_subject",
    )),
    # 4: the backoff grows on the remote's failures, not on every lease: a forwarder killed in a
    # loop leased the same items hundreds of times and pushed their retries to the 30-min cap.
    # An item that failed before this version keeps its attempts as its failures (the safe side).
    (4, (
        "ALTER TABLE items ADD COLUMN failures INTEGER NOT NULL DEFAULT 0",
        "UPDATE items SET failures=attempts WHERE last_error IS NOT NULL AND state IN ('queued','sending')",
    )),
    # 5: a resident's progress query at the screen (find by ID number) scanned every row since 3:
    # 27 ms at 50,000 rows, growing with the kiosk's age. The index is back; delivered rows now
    # leave after a year (Store.keep_delivered), so the table and the index stay bounded.
    (5, (
        "CREATE INDEX IF NOT EXISTS items_subject ON items (subject_tag) WHERE subject_tag IS NOT NULL",
    )),
    # 6: the queue holds more than applications: a resident's 好差评 evaluation is an item of its
    # own kind (no subject, forwarded to the site's evaluation back end), counted apart.
    (6, (
        "ALTER TABLE items ADD COLUMN kind TEXT NOT NULL DEFAULT 'application'",
    )),
)

LATEST = MIGRATIONS[-1][0]
