"""Every fixed number of the field tools (devices, selftest, diagnostics) in one table."""
from __future__ import annotations

# ---- kiosk-admin devices ---------------------------------------------------------------------
SAM_PROBE_TIMEOUT = 1.0     # s: a SAM answers its status in ~10 ms; 1 s covers a slow USB bridge
SAM_PROBE_BAUDS = (115200, 9600)  # every GA 467 reader seen runs 115200; a few old ones 9600

# ---- kiosk-admin selftest --------------------------------------------------------------------
DEVICE_STATE_TIMEOUT = 10.0  # s: a device adapter that has not answered by then is reported as such
TLS_HANDSHAKE_TIMEOUT = 5.0  # s: matches the default connect timeout of the transports
CERT_EXPIRY_WARN_DAYS = 30   # a client or server certificate expiring sooner is a warning
DISK_MIN_FREE_BYTES = 1 * 1024**3  # 1 GiB: a day of scans in a busy hall is a few hundred MB
DISK_MIN_FREE_FRACTION = 0.05      # and at least 5 % of the data folder's file system
CLOCK_EARLIEST_YEAR = 2026   # a clock before this year lost its RTC battery (certificates fail)
CLOCK_MAX_SKEW = 300.0       # s: against a jurisdiction's Date header; TLS and receipts need a true clock
OUTBOX_OLDEST_QUEUED_MAX = 24 * 3600.0  # s: an application queued a day ago means forwarding is stuck

# ---- kiosk-admin diagnostics ------------------------------------------------------------------
LOG_TAIL_BYTES = 2 * 1024**2  # per log file: the recent part is what a support desk reads
LOG_FILES_MAX = 6             # the log and its rotated copies (RotatingFileHandler backupCount=5)
JOURNAL_LINES = 5000          # per unit, from journalctl
