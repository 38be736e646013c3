"""A process for the kill -9 test: `submit` queues applications for ever, printing each id only
after the store acknowledged it; `forward` runs the forwarder for ever. Both are SIGKILLed."""
from __future__ import annotations

import os
import sys
import time
import uuid


def submit(folder: str, key: str, scratch: str) -> None:
    from offline_queue.store import Store
    from offline_queue.types import AttachmentIn, Request

    s = Store(folder, key)
    n = 0
    while True:
        n += 1
        txid = str(uuid.uuid4())
        atts = []
        if n % 4 == 0:
            p = os.path.join(scratch, f"{txid}.pdf")
            with open(p, "wb") as f:
                f.write(b"%PDF-1.4\n" + txid.encode() * 50)
            atts = [AttachmentIn("idcopy", p)]
        req = Request(txid, "DC-GJJ-002", "/api/v1/matters/DC-GJJ-002/applications",
                      {"name": "张三丰", "id_number": "11010519491231002X", "n": str(n)})
        s.submit(req, jurisdiction="dachang", tracking=txid[:8].upper(), subject="11010519491231002X", attachments=atts)
        sys.stdout.write(txid + "\n")  # acknowledged: the row is committed
        sys.stdout.flush()
        time.sleep(0.003)  # a busy hall, not a benchmark: leave the forwarder its share of the write lock


def forward(folder: str, key: str, url: str) -> None:
    from offline_queue.forwarder import Forwarder
    from offline_queue.store import Store
    from offline_queue.transports import Endpoint, make_transport

    s = Store(folder, key)
    ep = Endpoint(code="dachang", protocol="rest", url=url, connect_timeout=2, read_timeout=2)
    fw = Forwarder(s, {"dachang": make_transport(ep)}, rand=lambda: 0.0)
    fw.start()
    while True:
        fw.wake()
        time.sleep(0.05)


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "submit":
        submit(*sys.argv[2:5])
    else:
        forward(*sys.argv[2:5])
