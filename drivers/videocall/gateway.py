"""Running a Janus WebRTC gateway (Debian `janus`) with a private config folder: the VideoRoom
plugin with string room ids (a desk is a room named after it, docs/videocall.md) and the WebSocket
transport on 127.0.0.1 only; every other plugin, transport, logger and event handler disabled.
Used by the demo (in a network namespace it makes) and by a kiosk that hosts its own gateway.

WebRTC refuses loopback for media (Janus, aiortc and Chromium alike): the gateway and its peers
need one non-loopback interface. On a kiosk that is its LAN or a dummy interface; the demo makes a
network namespace with `lo` up and a veth pair inside it (`Namespace`), runs Janus in it with
`ip netns exec`, and lets a thread enter it (`enter_namespace`: setns on the calling thread only;
threads it starts later stay inside). Nothing leaves the namespace.

    with Namespace.make("kdemo") as ns, Gateway(folder, netns=ns.name).start() as gw:
        gw.url  # ws://127.0.0.1:8188, reachable from a thread that entered ns

Janus is started in its own process group, told to die with the process that started it (the
parent-death signal: a demo killed with SIGKILL leaves no gateway), and stopped with SIGTERM, then
SIGKILL. A namespace left by a killed demo is removed by the next `Namespace.make` (its name
carries the pid that made it)."""
from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from typing import Any, Callable

log = logging.getLogger(__name__)

LIB = "/usr/lib/x86_64-linux-gnu/janus"
OTHER_PLUGINS = ("audiobridge", "duktape", "echotest", "lua", "nosip", "recordplay", "sip", "streaming",
                 "textroom", "videocall", "voicemail")
OTHER_TRANSPORTS = ("http", "mqtt", "nanomsg", "pfunix", "rabbitmq")
MEDIA_INTERFACES = ("kv0", "kv1")  # the veth pair a Namespace makes
CLONE_NEWNET = 0x40000000
PR_SET_PDEATHSIG = 1
READY_WITHIN = 10.0  # seconds Janus may take to listen (it takes ~50 ms here)


class GatewayError(RuntimeError):
    """The gateway could not be started (the reason, and the tail of its log)."""


def janus_binary() -> str | None:
    return shutil.which("janus") or (os.path.exists("/usr/bin/janus") and "/usr/bin/janus") or None


def why_not(*, netns: bool = True) -> str:
    """Why a gateway (in a namespace of its own when `netns`) cannot run here ("" when it can)."""
    if janus_binary() is None:
        return "janus is not installed (Debian package `janus`; deploy/bootstrap.sh installs it)"
    if netns:
        if os.geteuid() != 0:
            return "a network namespace needs root"
        if shutil.which("ip") is None:
            return "no `ip` (iproute2) to make a network namespace"
    return ""


def write_config(folder: str, port: int = 8188, *, interfaces: tuple[str, ...] | None = MEDIA_INTERFACES) -> str:
    """Janus's config in `folder` (made if missing); returns the path of janus.jcfg. `interfaces`:
    the only ones ICE may use (None: any but loopback)."""
    os.makedirs(folder, mode=0o700, exist_ok=True)
    plugins = ",".join(f"libjanus_{p}.so" for p in OTHER_PLUGINS)
    transports = ",".join(f"libjanus_{t}.so" for t in OTHER_TRANSPORTS)
    nat = f'nice_debug = false  ice_enforce_list = "{",".join(interfaces)}"' if interfaces else "nice_debug = false"
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
nat: {{ {nat} }}
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


# ---- network namespaces ---------------------------------------------------------------------------
def _ip(*args: str) -> None:
    done = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=10)
    if done.returncode != 0:
        raise GatewayError(f"ip {' '.join(args)}: {done.stderr.strip() or done.returncode}")


def enter_namespace(name: str) -> None:
    """Move the calling thread (only it, and the threads it starts afterwards) into namespace `name`."""
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(f"/run/netns/{name}", os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"setns into {name}: {os.strerror(err)}")
    finally:
        os.close(fd)


def in_namespace(name: str | None, fn: Callable[..., Any], *args, timeout: float = 60) -> Any:
    """fn(*args) on a new thread inside namespace `name` (None: here); its result, or its exception."""
    if name is None:
        return fn(*args)
    box: dict = {}

    def run():
        try:
            enter_namespace(name)
            box["value"] = fn(*args)
        except BaseException as e:  # noqa: BLE001 — re-raised on the caller's thread
            box["error"] = e

    t = threading.Thread(target=run, name=f"netns-{name}", daemon=True)
    t.start()
    t.join(timeout)
    if t.is_alive():
        raise TimeoutError(f"in namespace {name}: {getattr(fn, '__name__', fn)} still running after {timeout} s")
    if "error" in box:
        raise box["error"]
    return box.get("value")


class Namespace:
    """A network namespace for WebRTC media: `lo` up (signalling on 127.0.0.1) and a veth pair with
    private addresses (kv0 10.77.0.1, kv1 10.77.0.2), routed nowhere. Needs root."""

    def __init__(self, name: str):
        self.name = name

    @classmethod
    def make(cls, prefix: str = "kdemo") -> "Namespace":
        """A new namespace named prefix + this process's pid; namespaces of the same prefix left by
        a process that is gone (killed before it could clean up) are removed first."""
        remove_stale(prefix)
        return cls.create(f"{prefix}{os.getpid()}")

    @classmethod
    def create(cls, name: str) -> "Namespace":
        """The namespace `name` made anew (one of that name is removed first)."""
        ns = cls(name)
        if os.path.exists(f"/run/netns/{ns.name}"):
            ns.remove()
        _ip("netns", "add", ns.name)
        try:
            n = ("-n", ns.name)
            _ip(*n, "link", "set", "lo", "up")
            _ip(*n, "link", "add", MEDIA_INTERFACES[0], "type", "veth", "peer", "name", MEDIA_INTERFACES[1])
            _ip(*n, "addr", "add", "10.77.0.1/24", "dev", MEDIA_INTERFACES[0])
            _ip(*n, "addr", "add", "10.77.0.2/24", "dev", MEDIA_INTERFACES[1])
            _ip(*n, "link", "set", MEDIA_INTERFACES[0], "up")
            _ip(*n, "link", "set", MEDIA_INTERFACES[1], "up")
        except BaseException:
            ns.remove()
            raise
        return ns

    def enter(self) -> None:
        """Move the calling thread into this namespace (a CallLoop's `enter`)."""
        enter_namespace(self.name)

    def remove(self) -> None:
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True, timeout=10)

    def __enter__(self) -> "Namespace":
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


def remove_stale(prefix: str) -> list[str]:
    """Remove namespaces named prefix + pid whose process is gone; returns their names."""
    gone = []
    try:
        names = os.listdir("/run/netns")
    except OSError:
        return gone
    for name in names:
        m = re.fullmatch(re.escape(prefix) + r"(\d+)", name)
        if m and int(m.group(1)) != os.getpid() and not os.path.exists(f"/proc/{m.group(1)}"):
            subprocess.run(["ip", "netns", "del", name], capture_output=True, timeout=10)
            gone.append(name)
    return gone


# ---- the gateway --------------------------------------------------------------------------------------
def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when the thread that started it dies (a killed demo)."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def stop_process(proc: subprocess.Popen, wait: float = 5) -> None:
    """Stop a process started in its own group: SIGTERM, SIGKILL after `wait` seconds."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(wait)
        except subprocess.TimeoutExpired:
            kill_process(proc)


def kill_process(proc: subprocess.Popen) -> None:
    """SIGKILL to a process's group, no goodbye to anyone (a crash, the box's power)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(5)


class Gateway:
    """One Janus process with its config in `folder` (private; removed by stop() when
    `remove_folder`), listening on ws://127.0.0.1:`port` of namespace `netns` (None: this one)."""

    def __init__(self, folder: str, port: int = 8188, *, netns: str | None = None,
                 interfaces: tuple[str, ...] | None = MEDIA_INTERFACES, ready_within: float = READY_WITHIN,
                 remove_folder: bool = False):
        self.folder, self.port, self.netns = folder, port, netns
        self.interfaces, self.ready_within, self.remove_folder = interfaces, ready_within, remove_folder
        self.proc: subprocess.Popen | None = None
        self._log = None

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> str:
        return os.path.join(self.folder, "janus.log")

    def start(self) -> "Gateway":
        """Write the config, run Janus, return once it listens. Raises GatewayError (stopped)."""
        binary = janus_binary()
        if binary is None:
            raise GatewayError(why_not(netns=False))
        conf = write_config(self.folder, self.port, interfaces=self.interfaces)
        cmd = [binary, "-F", self.folder, "-C", conf, "-o"]
        if self.netns:
            cmd = ["ip", "netns", "exec", self.netns, *cmd]
        self._log = open(self.log_path, "w")
        try:
            self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=self.folder,
                                         start_new_session=True, preexec_fn=_die_with_parent)
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        log.info("gateway: janus %d listening on %s%s", self.proc.pid, self.url,
                 f" in namespace {self.netns}" if self.netns else "")
        return self

    def wait_ready(self) -> None:
        """Until Janus listens (it takes ~50 ms); GatewayError when it exits or takes too long."""
        deadline = time.monotonic() + self.ready_within
        while not in_namespace(self.netns, _port_open, self.port):
            if self.proc.poll() is not None:
                raise GatewayError(f"janus exited ({self.proc.returncode}): {self.log_tail()}")
            if time.monotonic() > deadline:
                raise GatewayError(f"janus did not listen within {self.ready_within:.0f} s: {self.log_tail()}")
            time.sleep(0.05)

    def log_tail(self, n: int = 2000) -> str:
        if self._log is not None:
            self._log.flush()
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return f.read()[-n:]
        except OSError:
            return ""

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        """SIGTERM (Janus stops cleanly), SIGKILL after 5 s; then its folder, when asked."""
        if self.proc is not None:
            stop_process(self.proc)
        if self._log is not None:
            self._log.close()
            self._log = None
        if self.remove_folder:
            shutil.rmtree(self.folder, ignore_errors=True)

    def kill(self) -> None:
        """The gateway dies (a crash, the box's power): SIGKILL, no goodbye to anyone."""
        if self.proc is not None:
            kill_process(self.proc)

    def __enter__(self) -> "Gateway":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
