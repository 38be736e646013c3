"""Every fixed number of the outbox in one table: timeouts, backoff, leases, breaker, sizes."""
from __future__ import annotations

# ---- retries (exponential backoff with jitter, persisted in the row) ------------------------
BACKOFF_BASE = 5.0          # s: first retry after ~5 s; a blip in the hall's network is short
BACKOFF_FACTOR = 2.0        # doubling: 5, 10, 20, 40 ... s
BACKOFF_CAP = 30 * 60.0     # s: never wait more than half an hour, so a fixed link is used the same shift
BACKOFF_JITTER = 0.5        # the delay is drawn from [d*(1-J), d]: kiosks of one hall do not retry in step
RETRY_AFTER_CAP = 60 * 60.0  # s: a Retry-After larger than this is not believed

# ---- leases ----------------------------------------------------------------------------------
LEASE_SECONDS = 120.0       # s: longer than the longest send (connect + read timeouts + upload)

# ---- the forwarder ---------------------------------------------------------------------------
CONCURRENCY = 4             # parallel sends: a hall's uplink and one jurisdiction's gateway are small
LEASE_BATCH = 32            # items leased per round; small so a breaker opening stops a round early
IDLE_POLL = 30.0            # s: the worker re-checks the store at least this often (lease expiry)
STALL_AFTER = 10 * 60.0     # s: no round, send or idle wake-up for this long means the worker is wedged
                            # (one send may upload several materials, each within the read timeout)

# ---- per-jurisdiction circuit breaker --------------------------------------------------------
BREAKER_FAILURES = 3        # consecutive transient failures that open the breaker
BREAKER_COOLDOWN = 30.0     # s: then one probe is let through (half-open)
BREAKER_COOLDOWN_CAP = 10 * 60.0  # s: the cooldown doubles while probes fail, up to this

# ---- transports ------------------------------------------------------------------------------
CONNECT_TIMEOUT = 5.0       # s: default when the site config does not say
READ_TIMEOUT = 30.0         # s
QUERY_READ_TIMEOUT = 10.0   # s: a resident is waiting at the screen for a query matter
LAST_ERROR_MAX = 500        # characters of a remote error kept in the row

# ---- storage ---------------------------------------------------------------------------------
RETENTION_DAYS = 30         # default days a delivered payload is kept before purge
KEEP_DELIVERED_DAYS = 365   # default days a delivered item's metadata row is kept (progress, audit)
KEY_BYTES = 32              # AES-256
NONCE_BYTES = 12            # 96-bit GCM nonce, fresh per item
WAL_AUTOCHECKPOINT_PAGES = 1000  # SQLite's default; a larger WAL grows the file on each commit (measured: 25% slower submits)
BUSY_TIMEOUT_MS = 10_000    # SQLite waits this long for another process's write lock
MAX_ATTACHMENT_BYTES = 64 * 1024 * 1024  # one material's PDF; a scan bigger than this is a fault
