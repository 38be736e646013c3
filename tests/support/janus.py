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
