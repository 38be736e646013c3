"""Which services are unavailable now, and why, in the technician's words (`printer: paper_out`).

Written by worker threads (device start-up, a print job, the printer check after a journey) and
read by the main thread (the status bar, the technician screen): every read and write holds one
lock, readers get copies, and the callbacks run after the lock is released, on the writer's
thread (the app hops them onto its main thread)."""
from __future__ import annotations

import logging
import threading
from typing import Callable, Iterator

log = logging.getLogger(__name__)

Listener = Callable[[], None]


class Availability:
    """A small locked map service → reason, with change callbacks. A callback runs only when
    something changed (a reason set, changed or cleared), never under the lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reasons: dict[str, str] = {}
        self._listeners: list[Listener] = []

    # ---- writers (any thread) ------------------------------------------------------------------
    def set(self, service: str, reason: str) -> None:
        """`service` is unavailable, for `reason`."""
        with self._lock:
            changed = self._reasons.get(service) != reason
            self._reasons[service] = reason
        if changed:
            self._changed()

    def clear(self, service: str) -> None:
        """`service` works again."""
        with self._lock:
            changed = self._reasons.pop(service, None) is not None
        if changed:
            self._changed()

    # ---- readers (any thread): copies, never the live map ------------------------------------
    def snapshot(self) -> dict[str, str]:
        with self._lock:
            return dict(self._reasons)

    def get(self, service: str, default: str | None = None) -> str | None:
        with self._lock:
            return self._reasons.get(service, default)

    def __contains__(self, service: object) -> bool:
        with self._lock:
            return service in self._reasons

    def __iter__(self) -> Iterator[str]:
        return iter(self.snapshot())

    def __len__(self) -> int:
        with self._lock:
            return len(self._reasons)

    def items(self) -> list[tuple[str, str]]:
        return list(self.snapshot().items())

    def values(self) -> list[str]:
        return list(self.snapshot().values())

    def __getitem__(self, service: str) -> str:
        with self._lock:
            return self._reasons[service]

    def __repr__(self) -> str:
        return f"Availability({self.snapshot()!r})"

    # ---- observation ---------------------------------------------------------------------------
    def subscribe(self, callback: Listener) -> None:
        """`callback()` after every change, on the thread that made it."""
        with self._lock:
            self._listeners.append(callback)

    def unsubscribe(self, callback: Listener) -> None:
        with self._lock:
            if callback in self._listeners:
                self._listeners.remove(callback)

    def _changed(self) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for cb in listeners:
            try:
                cb()
            except Exception:  # one broken listener never stops a writer (a worker thread)
                log.exception("availability listener failed")
