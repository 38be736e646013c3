"""A Janus gateway a test starts inside its own network namespace, with a private config folder
(the product's drivers/videocall/gateway.py: the VideoRoom plugin and the WebSocket transport on
127.0.0.1 only, everything else disabled), and coturn for the TURN path. Stopped (SIGTERM, then
SIGKILL) at the end; nothing outlives the test."""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time

from drivers.videocall.gateway import Gateway, janus_binary, kill_process, stop_process  # noqa: F401 — janus_binary: the tests' skip check
from tests.support.netns import in_namespace


@contextlib.contextmanager
def gateway(ns: str, folder: str, port: int = 8188, *, ready_within: float = 10.0):
    """Janus (the product's own config, drivers/videocall/gateway.py) running in namespace `ns`;
    yields (its ws:// URL, the Popen)."""
    g = Gateway(folder, port, netns=ns, ready_within=ready_within).start()
    try:
        yield g.url, g.proc
    finally:
        g.stop()


def stop(proc: subprocess.Popen) -> None:
    stop_process(proc)


def kill(proc: subprocess.Popen) -> None:
    """The gateway dies (a crash, the box's power): SIGKILL, no goodbye to anyone."""
    kill_process(proc)


# ---- coturn, for the kiosk's TURN path -----------------------------------------------------------------
def turnserver_binary() -> str | None:
    return shutil.which("turnserver")


def _stun_answers(ip: str, port: int) -> bool:
    """A STUN binding request answers (it needs no credentials): the TURN server is up."""
    import secrets
    req = b"\x00\x01\x00\x00\x21\x12\xa4\x42" + secrets.token_bytes(12)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.2)
        try:
            s.sendto(req, (ip, port))
            return s.recv(512)[8:20] == req[8:20]
        except OSError:
            return False


@contextlib.contextmanager
def turnserver(ns: str, folder: str, user: str, password: str, ip: str = "10.77.0.1", port: int = 3478,
               *, ready_within: float = 10.0):
    """coturn in namespace `ns` with one long-term credential; yields its log file's path."""
    os.makedirs(folder, exist_ok=True)
    log_path = os.path.join(folder, "turn.log")
    log = open(log_path, "w")
    proc = subprocess.Popen(
        ["ip", "netns", "exec", ns, turnserver_binary(), "-n", f"--listening-ip={ip}", f"--relay-ip={ip}",
         f"--listening-port={port}", "--lt-cred-mech", f"--user={user}:{password}", "--realm=kiosk.test",
         "--no-tls", "--no-dtls", "--no-cli", "--log-file=stdout", "--simple-log", "--verbose",
         f"--userdb={os.path.join(folder, 'turndb')}", f"--pidfile={os.path.join(folder, 'turn.pid')}"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + ready_within  # waits for the server to answer, not for a timeout
        while not in_namespace(ns, _stun_answers, ip, port):
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                raise RuntimeError("turnserver did not start: " + open(log_path).read()[-2000:])
            time.sleep(0.05)
        yield log_path
    finally:
        stop(proc)
        log.close()
