"""The site config: one TOML file validated once into frozen dataclasses. A bad file is refused
with `file:line: key: reason`; nothing half-read is ever used."""
from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import tempfile
import tomllib
from pathlib import Path
from typing import Any, Literal

from kiosk import jurisdictions
from kiosk.devices import ACCEPTS, SIM_HOSTS, DeviceURLError, parse_device_url
from kiosk.errors import ConfigError
from kiosk.inputs import CONFIG_MAX, read_text_bounded

DEFAULT_PATH = "/etc/kiosk/kiosk.toml"
DEMO_SITE = Path(__file__).with_name("demo") / "site.toml"
# Simulated back ends a demo site may name as sim://<kind> (offline_queue/sim): kind → protocol
SIM_KINDS = {"rest": "rest", "soap": "soap", "nested-soap": "soap", "multipart-rest": "rest", "haochaping": "rest"}


@dataclasses.dataclass(frozen=True)
class JurisdictionConfig:
    """One jurisdiction the kiosk forwards to. `endpoint` is https://… on a real site, or
    sim://rest | sim://soap on the demo site (the composition root starts the simulated server)."""

    code: str
    name: str
    protocol: Literal["soap", "rest"]
    endpoint: str
    credentials: str | None = None  # path of a TOML file with username/password or token
    wsdl: str | None = None  # SOAP: shipped with the site config, never fetched at start-up
    client_cert: str | None = None  # mTLS
    client_key: str | None = None
    ca_bundle: str | None = None
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    prereview_days: int = 3  # 远程预审 period promised on the receipt
    hotline: str | None = None
    profile: str | None = None  # the interface profile (TOML); None: the project's own contract
    name_en: str | None = None
    allow_plain_http: bool = False  # http:// to a remote host: a closed test network only
    video_desk: str | None = None  # 视频帮办: the desk (gateway room) of this jurisdiction's clerks


@dataclasses.dataclass(frozen=True)
class DevicesConfig:
    idreader: str | None = None
    sscard: str | None = None
    printer: str | None = None
    scanner: str | None = None
    printer_paper: int = 80  # mm: 58 or 80
    camera: str | None = None  # a document camera (高拍仪) beside the scanner, e.g. v4l2:///dev/video0
    camera_materials: tuple[str, ...] = ()  # material codes the camera takes ("*": all); () with a camera: all


@dataclasses.dataclass(frozen=True)
class UIConfig:
    language: Literal["zh", "en"] = "zh"
    idle_timeout: int = 90  # seconds without a touch before the countdown warning
    idle_warning: int = 20  # seconds of countdown before the session is wiped
    elder_mode: bool = False
    fullscreen: bool = True


@dataclasses.dataclass(frozen=True)
class EvaluationConfig:
    """好差评: after each service the resident may rate it. `jurisdiction` names the
    [jurisdictions.<code>] entry of the site's evaluation platform (its endpoint and profile); None:
    evaluations are kept in the outbox and counted, forwarded nowhere (a dead item says so)."""

    jurisdiction: str | None = None
    timeout: int = 30  # seconds without a touch before the evaluation screen leaves for home


@dataclasses.dataclass(frozen=True)
class VideoConfig:
    """视频帮办: the help call to a clerk. `gateway` is the WebRTC gateway's signalling URL (Janus,
    ws:// or wss://); None: no video help on this kiosk (the help button says to ask the hall's
    staff). `desk` is the site's own desk, called before a matter is chosen and for a jurisdiction
    with no `video_desk` of its own."""

    gateway: str | None = None
    desk: str | None = None
    answer_timeout: int = 120  # seconds a waiting call may go unanswered before it gives up
    # the call's camera and microphone by URL (v4l2:///dev/video0, alsa://default or pulse://default), or their twins
    # test://pattern and test://tone (a demo site's default; a real site names its devices)
    camera: str | None = None
    microphone: str | None = None
    # the clerk's voice out: alsa://default (aplay), pulse://default (pacat), or the twin test://null
    # (a demo site's default); a real site's default is alsa://default
    speaker: str | None = None
    # a TURN server for kiosks behind NAT (turn:host:3478?transport=udp) and the file holding its
    # username:password (not world-readable); both or neither
    turn: str | None = None
    turn_credentials: str | None = None


@dataclasses.dataclass(frozen=True)
class Config:
    path: str
    kiosk_id: str
    site: str  # where the kiosk stands, shown to residents
    site_jurisdiction: str  # the jurisdiction whose territory it stands in
    hotline: str
    jurisdictions: dict[str, JurisdictionConfig]
    devices: DevicesConfig
    ui: UIConfig
    data_folder: str
    outbox_key: str
    retention_days: int
    keep_delivered_days: int
    catalog: str | None  # None: the sample catalog that ships with the kiosk
    technician_pin_hash: str | None
    log_file: str | None = None
    demo: bool = False
    evaluation: EvaluationConfig = dataclasses.field(default_factory=EvaluationConfig)
    video: VideoConfig = dataclasses.field(default_factory=VideoConfig)

    def video_desk(self, jurisdiction: str | None) -> str | None:
        """The desk a help call goes to: the owning jurisdiction's, else the site's own; None when
        this kiosk has no video help."""
        if not self.video.gateway:
            return None
        j = self.jurisdictions.get(jurisdiction or "")
        return (j.video_desk if j is not None and j.video_desk else None) or self.video.desk

    @property
    def serving(self) -> dict[str, "JurisdictionConfig"]:
        """The jurisdictions whose matters the kiosk offers: all but the evaluation platform."""
        return {c: j for c, j in self.jurisdictions.items() if c != self.evaluation.jurisdiction}

    def active_catalog(self) -> str | None:
        """The catalog in use: the config's own, else the one `kiosk-admin catalog update`
        installed (<data>/catalog/current.json), else None (the sample that ships)."""
        if self.catalog:
            return self.catalog
        installed = os.path.join(self.data_folder, "catalog", "current.json")
        return installed if os.path.exists(installed) else None

    def summary(self) -> str:
        dev = ", ".join(f"{k}={'+'.join(v) if isinstance(v, (list, tuple)) else v}"
                        for k, v in dataclasses.asdict(self.devices).items() if v and k != "printer_paper")
        return (f"kiosk {self.kiosk_id} at {self.site} ({self.site_jurisdiction}); serves "
                f"{', '.join(f'{c}({j.protocol})' for c, j in self.jurisdictions.items())}; devices: {dev or 'none'}")

    def without_secrets(self) -> dict:
        """The config as a technician may see it anywhere (diagnostics, maintenance screen)."""
        d = dataclasses.asdict(self)
        d["technician_pin_hash"] = "set" if self.technician_pin_hash else "not set"
        return d


_SCHEMA: dict[str, dict[str, Any]] = {
    "kiosk": {"id": str, "site": str, "site_jurisdiction": str, "hotline": str},
    "data": {"folder": str, "outbox_key": str, "retention_days": int, "keep_delivered_days": int, "catalog": str, "log_file": str},
    "devices": {"idreader": str, "sscard": str, "printer": str, "scanner": str, "printer_paper": int,
                "camera": str, "camera_materials": list},
    "ui": {"language": str, "idle_timeout": int, "idle_warning": int, "elder_mode": bool, "fullscreen": bool},
    "technician": {"pin_hash": str},
    "evaluation": {"jurisdiction": str, "timeout": int},
    "video": {"gateway": str, "desk": str, "answer_timeout": int, "camera": str, "microphone": str, "speaker": str,
              "turn": str, "turn_credentials": str},
}
_JUR_KEYS = {"name": str, "protocol": str, "endpoint": str, "credentials": str, "wsdl": str,
             "client_cert": str, "client_key": str, "ca_bundle": str, "connect_timeout": (int, float),
             "read_timeout": (int, float), "prereview_days": int, "hotline": str, "profile": str, "name_en": str,
             "allow_plain_http": bool, "video_desk": str}
_DESK = re.compile(r"[a-z0-9][a-z0-9\-]{0,39}")
_TURN = re.compile(r"turns?:[A-Za-z0-9.\-]+(:\d{1,5})?(\?transport=(udp|tcp))?|turns?:\[[0-9A-Fa-f:.]+\](:\d{1,5})?(\?transport=(udp|tcp))?")
_REQUIRED = {"kiosk": ("id", "site", "site_jurisdiction")}
_TYPE_NAMES = {str: "a string", int: "a whole number", bool: "true or false", (int, float): "a number",
               list: "a list"}


class _Lines:
    """Finds the line of a key in the TOML text, for error messages (tomllib keeps no positions)."""

    _HDR = re.compile(r"^\s*\[\s*([^\]]+?)\s*\]\s*(#.*)?$")
    _KEY = re.compile(r"^\s*([A-Za-z0-9_\-\"\.]+)\s*=")

    def __init__(self, text: str):
        self.where: dict[str, int] = {}
        table = ""
        for n, line in enumerate(text.splitlines(), 1):
            m = self._HDR.match(line)
            if m:
                table = m.group(1).replace('"', "")
                self.where.setdefault(table, n)
                continue
            m = self._KEY.match(line)
            if m:
                key = m.group(1).replace('"', "")
                self.where.setdefault(f"{table}.{key}" if table else key, n)

    def line(self, dotted: str) -> int | None:
        while dotted:
            if dotted in self.where:
                return self.where[dotted]
            dotted = dotted.rpartition(".")[0]
        return None


class ConfigProblems(ConfigError):
    """Every problem found in one config file. It reads as its first problem (key, line, reason),
    with how many more there are: the kiosk and every command print one line; `check-config`
    prints `problems`, one `file:line: key: reason` each."""

    def __init__(self, problems: list[ConfigError]):
        # top to bottom, as the technician reads the file; problems of no line (a missing key) last
        problems = sorted(problems, key=lambda p: (p.line is None, p.line or 0))
        first = problems[0]
        super().__init__(first.path, first.reason, key=first.key, line=first.line)
        self.problems = list(problems)
        if len(problems) > 1:
            self.args = (f"{self.args[0]} (and {len(problems) - 1} more: kiosk-admin check-config {first.path})",)


class _Skip(Exception):
    """Stops checking one part of the file (a section, a device) after its first problem."""


class _Problems:
    """Collects problems while a config is validated, so a technician sees them all at once."""

    def __init__(self, path: str, lines: "_Lines"):
        self.path, self.lines, self.found = path, lines, []

    def note(self, key: str, reason: str) -> None:
        line = self.lines.line(key)
        if len(key) > 120:  # a hostile file's key, cut: each problem stays one readable line
            key = key[:119] + "…"
        self.found.append(ConfigError(self.path, reason, key=key, line=line))

    def fail(self, key: str, reason: str):
        """Note and stop checking the current part (`with problems.part():`)."""
        self.note(key, reason)
        raise _Skip

    @contextlib.contextmanager
    def part(self):
        try:
            yield
        except _Skip:
            pass


def load_config(path: str | os.PathLike | None = None, *, demo: bool = False, check_files: bool = False) -> Config:
    """Read and validate a site config. `demo=True` with no path: the embedded demo site.
    `check_files=True` also looks at the files it names (kiosk.config_files)."""
    if path is None:
        path = DEMO_SITE if demo else os.environ.get("KIOSK_CONFIG", DEFAULT_PATH)
    p = Path(path)
    text = read_text_bounded(p, CONFIG_MAX, "a site config")
    return parse_config(text, str(p), demo=demo or p.resolve() == DEMO_SITE.resolve(), check_files=check_files)


def load_toml(text: str, path: str) -> dict:
    """A TOML file's text as tables, or a ConfigError `path:line: not valid TOML: reason` (also for
    what a hostile file can make tomllib raise besides its own error). Every config reader uses it."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(e))
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(e))
        raise ConfigError(path, f"not valid TOML: {reason}" + (f" (column {m.group(2)})" if m else ""),
                          line=int(m.group(1)) if m else None) from None
    except RecursionError:
        raise ConfigError(path, "not valid TOML: arrays or tables nested too deeply") from None
    except ValueError:  # an integer of thousands of digits
        raise ConfigError(path, "not valid TOML: a number of thousands of digits") from None


def parse_config(text: str, path: str = "<config>", *, demo: bool = False, check_files: bool = False) -> Config:
    """Validate a config's text. Every problem found is reported (ConfigProblems), not the first."""
    if not text.strip():
        raise ConfigError(path, "empty: not a site config (see deploy/sites/ for examples)")
    raw = load_toml(text, path)
    lines = _Lines(text)
    problems = _Problems(path, lines)
    fail, note, part = problems.fail, problems.note, problems.part

    for table in raw:
        if table not in _SCHEMA and table != "jurisdictions":
            note(table, f"unknown section (expected {', '.join(list(_SCHEMA) + ['jurisdictions'])})")
    vals: dict[str, dict[str, Any]] = {}
    for table, keys in _SCHEMA.items():
        sect = raw.get(table, {})
        vals[table] = {}
        if not isinstance(sect, dict):
            note(table, "must be a section: [" + table + "]")
            continue
        for k, v in sect.items():
            if k not in keys:
                note(f"{table}.{k}", f"unknown key (expected one of {', '.join(keys)})")
            elif not _type_ok(v, keys[k]):
                note(f"{table}.{k}", f"must be {_TYPE_NAMES[keys[k]]}, not {type(v).__name__} {_short(v)}")
            else:
                vals[table][k] = v
        for k in _REQUIRED.get(table, ()):
            if k not in sect:
                note(table, f"missing key {k!r}")
    kio, data, dev, ui = vals["kiosk"], vals["data"], vals["devices"], vals["ui"]

    if "site_jurisdiction" in kio and not jurisdictions.valid_code(kio["site_jurisdiction"]):
        note("kiosk.site_jurisdiction", jurisdictions.bad_code(kio["site_jurisdiction"]))
    if "id" in kio and not re.fullmatch(r"[a-z0-9][a-z0-9\-]{1,39}", kio["id"]):
        note("kiosk.id", "must be 2–40 lower-case letters, digits or '-', e.g. dachang-hall-01")

    jurs: dict[str, JurisdictionConfig] = {}
    jtable = raw.get("jurisdictions", {})
    if not isinstance(jtable, dict) or not jtable:
        note("jurisdictions", "at least one [jurisdictions.<code>] section is needed")
        jtable = {}
    for code, j in jtable.items():
        with part():
            key = f"jurisdictions.{code}"
            if not jurisdictions.valid_code(code):
                fail(key, jurisdictions.bad_code(code))
            if not isinstance(j, dict):
                fail(key, "must be a section")
            good = {}
            for k, v in j.items():
                if k not in _JUR_KEYS:
                    note(f"{key}.{k}", f"unknown key (expected one of {', '.join(_JUR_KEYS)})")
                elif not _type_ok(v, _JUR_KEYS[k]):
                    note(f"{key}.{k}", f"must be {_TYPE_NAMES[_JUR_KEYS[k]]}, not {type(v).__name__} {_short(v)}")
                else:
                    good[k] = v
            j = good
            for k in ("protocol", "endpoint"):
                if k not in j:
                    fail(key, f"missing key {k!r}")
            if j["protocol"] not in ("soap", "rest"):
                fail(f"{key}.protocol", f"must be \"soap\" or \"rest\", not {_short(j['protocol'])}")
            ep = j["endpoint"]
            if not re.match(r"^(https?://[^/\s]+|sim://(" + "|".join(SIM_KINDS) + r")$)", ep):
                note(f"{key}.endpoint", f"must be an http(s):// URL (or {', '.join('sim://' + k for k in SIM_KINDS)} "
                                        f"on a demo site), not {_short(ep)}")
            elif ep.startswith("http://") and not _loopback(ep) and not j.get("allow_plain_http"):
                note(f"{key}.endpoint", "plain http to a remote host would send personal data in the clear: use https:// "
                                        "(a closed test network only: allow_plain_http = true)")
            elif ep.startswith("sim://") and SIM_KINDS.get(ep[6:]) != j["protocol"]:
                note(f"{key}.endpoint", f"a simulated endpoint must match the protocol: "
                                        f"{', '.join('sim://' + k for k, v in SIM_KINDS.items() if v == j['protocol'])}")
            if j["protocol"] == "soap" and "wsdl" not in j and not ep.startswith("sim://"):
                note(key, "a SOAP jurisdiction needs 'wsdl' (the WSDL file shipped with the site config)")
            if ("client_cert" in j) != ("client_key" in j):
                note(key, "client_cert and client_key go together (mTLS)")
            for k in ("connect_timeout", "read_timeout"):
                if k in j and not 0 < j[k] <= 300:
                    note(f"{key}.{k}", "must be between 0 and 300 seconds")
            base = Path(path).parent
            resolved = {k: str(base / j[k]) if k in j and not os.path.isabs(j[k]) else j.get(k)
                        for k in ("credentials", "wsdl", "client_cert", "client_key", "ca_bundle", "profile")}
            if check_files:
                _check_jurisdiction_files(note, key, j["protocol"], resolved)
            jurs[code] = JurisdictionConfig(
                code=code, name=j.get("name", code), name_en=j.get("name_en"), protocol=j["protocol"], endpoint=ep,
                allow_plain_http=j.get("allow_plain_http", False),
                connect_timeout=float(j.get("connect_timeout", 5.0)), read_timeout=float(j.get("read_timeout", 30.0)),
                prereview_days=j.get("prereview_days", 3), hotline=j.get("hotline"),
                video_desk=j.get("video_desk"), **resolved)
            if "video_desk" in j and not _DESK.fullmatch(j["video_desk"]):
                note(f"{key}.video_desk", f"must be a desk name of 1–40 lower-case letters, digits or '-', not {_short(j['video_desk'])}")

    for kind in ("idreader", "sscard", "printer", "scanner", "camera"):
        if kind not in dev:
            continue
        with part():
            try:
                u = parse_device_url(dev[kind])
            except DeviceURLError as e:
                fail(f"devices.{kind}", str(e))
            if u.scheme not in ACCEPTS[kind]:
                fail(f"devices.{kind}", f"a {kind} cannot be {u.scheme}:// (use {', '.join(s + '://' for s in ACCEPTS[kind])})")
            if u.scheme == "sim" and u.host not in SIM_HOSTS[kind]:
                fail(f"devices.{kind}", f"sim://{u.host} is not a {kind}: use {' or '.join('sim://' + h for h in SIM_HOSTS[kind])}")
    cams = dev.get("camera_materials")
    if cams is not None:
        if not all(isinstance(c, str) and re.fullmatch(r"\*|[A-Za-z0-9_.\-]{1,64}", c) for c in cams):
            note("devices.camera_materials", f"must list material codes as in the catalog (e.g. [\"id_card\", "
                                             f"\"hukou\"]) or [\"*\"] for all, not {_short(cams)}")
        elif "camera" not in dev:
            note("devices.camera_materials", "names materials for a camera, but devices.camera is not set")
        dev["camera_materials"] = tuple(c for c in cams if isinstance(c, str))
    if dev.get("printer_paper", 80) not in (58, 80):
        note("devices.printer_paper", "must be 58 or 80 (mm)")
    if ui.get("language", "zh") not in ("zh", "en"):
        note("ui.language", "must be \"zh\" or \"en\"")
    if not 15 <= ui.get("idle_timeout", 90) <= 3600:
        note("ui.idle_timeout", "must be between 15 and 3600 seconds")
    if not 5 <= ui.get("idle_warning", 20) <= 120:
        note("ui.idle_warning", "must be between 5 and 120 seconds")
    if data.get("retention_days", 30) < 0:
        note("data.retention_days", "must not be negative")
    if data.get("keep_delivered_days", 365) < data.get("retention_days", 30):
        note("data.keep_delivered_days", "must be at least retention_days (a delivered item's row outlives its payload)")
    pin = vals["technician"].get("pin_hash")
    if pin is not None and not pin.startswith("scrypt$"):
        note("technician.pin_hash", "must be a hash made by `kiosk-admin provision` (scrypt$…), never a PIN")
    elif pin is not None and check_files:  # the kiosk still starts with it; its maintenance screen says why
        from kiosk.pin import hash_problem
        why = hash_problem(pin)
        if why:
            note("technician.pin_hash", why)

    folder = data.get("folder")
    if folder is None:
        if not demo:
            note("data", "missing key 'folder' (e.g. /var/lib/kiosk)")
        folder = os.path.join(tempfile.gettempdir(), f"kiosk-demo-{os.getuid()}")
    folder = os.path.expandvars(os.path.expanduser(folder))
    key = data.get("outbox_key") or (os.path.join(folder, "outbox.key") if demo else None)
    if key is None:
        note("data", "missing key 'outbox_key' (made by `kiosk-admin provision`)")
    base = Path(path).parent
    catalog = data.get("catalog")
    if catalog and not os.path.isabs(catalog):
        catalog = str(base / catalog)
    if check_files and catalog:
        from kiosk import config_files
        why = config_files.catalog_problem(catalog)
        if why:
            note("data.catalog", why)
    ev = vals["evaluation"]
    if "jurisdiction" in ev and ev["jurisdiction"] not in jtable:
        note("evaluation.jurisdiction", f"no [jurisdictions.{ev['jurisdiction']}] section (the 好差评 platform's "
                                        "endpoint and profile go there)")
    if not 5 <= ev.get("timeout", 30) <= 600:
        note("evaluation.timeout", f"must be 5–600 seconds, not {ev['timeout']}")
    vid = vals["video"]
    if "gateway" in vid and not re.match(r"^wss?://[^/\s]+", vid["gateway"]):
        note("video.gateway", f"must be the gateway's ws:// or wss:// URL, not {_short(vid['gateway'])}")
    if "desk" in vid and not _DESK.fullmatch(vid["desk"]):
        note("video.desk", f"must be a desk name of 1–40 lower-case letters, digits or '-', not {_short(vid['desk'])}")
    if vid and "gateway" not in vid:
        note("video", "missing key 'gateway' (the video gateway's ws:// or wss:// URL)")
    if "gateway" in vid and "desk" not in vid and not any(j.video_desk for j in jurs.values()):
        note("video", "missing key 'desk' (the site's own desk; or video_desk in a [jurisdictions.<code>] section)")
    for k, schemes, twin in (("camera", ("v4l2", "test"), "test://pattern"), ("microphone", ("alsa", "pulse", "test"), "test://tone")):
        if k in vid and not (vid[k].split("://", 1)[0] in schemes and "://" in vid[k]):
            note(f"video.{k}", f"must be a {' or '.join(s + '://' for s in schemes)} URL, not {_short(vid[k])}")
        elif "gateway" in vid and k not in vid:
            if demo:
                vid[k] = twin
            else:
                note("video", f"missing key {k!r} (e.g. {'v4l2:///dev/video0' if k == 'camera' else 'alsa://default'})")
    if "speaker" in vid and not (vid["speaker"].split("://", 1)[0] in ("alsa", "pulse") and "://" in vid["speaker"]
                                 or vid["speaker"] == "test://null"):
        note("video.speaker", f"must be an alsa:// or pulse:// URL (or test://null), not {_short(vid['speaker'])}")
    elif "gateway" in vid and "speaker" not in vid:
        vid["speaker"] = "test://null" if demo else "alsa://default"
    if not 10 <= vid.get("answer_timeout", 120) <= 1800:
        note("video.answer_timeout", f"must be 10–1800 seconds, not {vid.get('answer_timeout')}")
    if "turn" in vid and not _TURN.fullmatch(vid["turn"]):
        note("video.turn", f"must be a TURN URL like turn:host:3478?transport=udp (turn: or turns:), not {_short(vid['turn'])}")
    if ("turn" in vid) != ("turn_credentials" in vid):
        note("video", "turn and turn_credentials go together (the TURN server and its username:password file)")
    if "turn_credentials" in vid:
        if not os.path.isabs(vid["turn_credentials"]):
            vid["turn_credentials"] = str(Path(path).parent / vid["turn_credentials"])
        if check_files:
            from kiosk import config_files
            why = config_files.turn_credentials_problem(vid["turn_credentials"])
            if why:
                note("video.turn_credentials", why)
    if problems.found:
        raise ConfigProblems(problems.found)
    return Config(
        path=path, kiosk_id=kio["id"], site=kio["site"], site_jurisdiction=kio["site_jurisdiction"],
        hotline=kio.get("hotline", "12345"), jurisdictions=jurs,
        devices=DevicesConfig(**{k: v for k, v in dev.items()}),
        ui=UIConfig(**ui), data_folder=folder, outbox_key=os.path.expandvars(os.path.expanduser(key)),
        retention_days=data.get("retention_days", 30), keep_delivered_days=data.get("keep_delivered_days", 365),
        catalog=catalog,
        technician_pin_hash=pin, log_file=data.get("log_file"), demo=demo, evaluation=EvaluationConfig(**ev),
        video=VideoConfig(**vid))


def _check_jurisdiction_files(note, key: str, protocol: str, files: dict[str, str | None]) -> None:
    """The files one jurisdiction's section names: exists, readable, parses as what it must be."""
    from kiosk import config_files

    if files.get("ca_bundle"):
        why = config_files.ca_bundle_problem(files["ca_bundle"])
        if why:
            note(f"{key}.ca_bundle", why)
    for k, why in config_files.client_pair_problems(files.get("client_cert"), files.get("client_key")).items():
        note(f"{key}.{k}", why)
    if files.get("credentials"):
        why = config_files.credentials_problem(files["credentials"], protocol)
        if why:
            note(f"{key}.credentials", why)
    if files.get("wsdl") and protocol == "soap":
        why = config_files.wsdl_problem(files["wsdl"])
        if why:
            note(f"{key}.wsdl", why)


def _short(v: Any, limit: int = 60) -> str:
    """A value as it may appear in a one-line reason: repr, cut to `limit` characters."""
    r = repr(v)
    return r if len(r) <= limit else r[:limit - 1] + "…"


def _type_ok(v: Any, t: Any) -> bool:
    if t in (int, (int, float)) and isinstance(v, bool):
        return False
    return isinstance(v, t)


def _loopback(url: str) -> bool:
    return bool(re.match(r"^https?://(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(/|$)", url))
