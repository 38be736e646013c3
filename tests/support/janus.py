"""A Janus gateway a test starts inside its own network namespace, with a private config folder:
the VideoRoom plugin and the WebSocket transport on 127.0.0.1 only, everything else disabled.
Stopped (SIGTERM, then SIGKILL) at the end; nothing outlives the test."""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time

from tests.support.netns import in_namespace

LIB = "/usr/lib/x86_64-linux-gnu/janus"
OTHER_PLUGINS = ("audiobridge", "duktape", "echotest", "lua", "nosip", "recordplay", "sip", "streaming",
                 "textroom", "videocall", "voicemail")
OTHER_TRANSPORTS = ("http", "mqtt", "nanomsg", "pfunix", "rabbitmq")


def janus_binary() -> str | None:
    return shutil.which("janus") or (os.path.exists("/usr/bin/janus") and "/usr/bin/janus") or None


def write_config(folder: str, port: int) -> str:
    os.makedirs(folder, exist_ok=True)
    plugins = ",".join(f"libjanus_{p}.so" for p in OTHER_PLUGINS)
    transports = ",".join(f"libjanus_{t}.so" for t in OTHER_TRANSPORTS)
    with open(os.path.join(folder, "janus.jcfg"), "w") as f:
        f.write(f'''general: {{
  configs_folder = "{folder}"
  plugins_folder = "{LIB}/plugins"
  transports_folder = "{LIB}/transports"
  events_folder = "{LIB}/events"
  loggers_folder = "{LIB}/loggers"
  debug_level = 4
  session_timeout = 60
  protected_folders = ["/bin", "/boot", "/dev", "/etc", "/lib", "/proc", "/sys", "/usr", "/var"]
}}
media: {{ }}
nat: {{ nice_debug = false  ice_enforce_list = "kv0,kv1" }}
plugins: {{ disable = "{plugins}" }}
transports: {{ disable = "{transports}" }}
loggers: {{ disable = "libjanus_jsonlog.so" }}
events: {{ broadcast = false }}
''')
    with open(os.path.join(folder, "janus.transport.websockets.jcfg"), "w") as f:
        f.write(f'''general: {{ json = "compact"  ws = true  ws_port = {port}  ws_ip = "127.0.0.1"  wss = false }}
admin: {{ admin_ws = false  admin_wss = false }}
''')
    with open(os.path.join(folder, "janus.plugin.videoroom.jcfg"), "w") as f:
        f.write('general: { string_ids = true }\n')  # desks are names; rooms are made on first use
    return os.path.join(folder, "janus.jcfg")


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


@contextlib.contextmanager
def gateway(ns: str, folder: str, port: int = 8188, *, ready_within: float = 10.0):
    """Janus running in namespace `ns`; yields (its ws:// URL, the Popen)."""
    conf = write_config(folder, port)
    log = open(os.path.join(folder, "janus.log"), "w")
    proc = subprocess.Popen(["ip", "netns", "exec", ns, janus_binary(), "-F", folder, "-C", conf, "-o"],
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + ready_within  # waits for a process to listen, not for a timeout
        while not in_namespace(ns, _port_open, port):
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                raise RuntimeError("janus did not start: " + open(os.path.join(folder, "janus.log")).read()[-2000:])
            time.sleep(0.05)
        yield f"ws://127.0.0.1:{port}", proc
    finally:
        stop(proc)
        log.close()


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


def kill(proc: subprocess.Popen) -> None:
    """The gateway dies (a crash, the box's power): SIGKILL, no goodbye to anyone."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(5)


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
