#!/usr/bin/env bash
# One idempotent set-up for `make demo`, `make test` and `make bench`: the Debian packages the
# kiosk and its simulated devices need, then .venv with the project installed editable.
# apt-get runs only when a package is missing; pip only when setup.cfg changed.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

# Debian packages, each for one job:
#   pcscd libpcsclite-dev swig   PC/SC daemon and what pyscard builds against
#   vsmartcard-vpcd              the virtual reader that the social security card twin plugs into
#   libsane1 libsane-dev sane-utils   SANE (scanners; the `test` backend is the scanner twin)
#   xvfb xauth                   a virtual screen for the demo and e2e tests on a machine without one
#   libgl1-mesa-dri libegl1 libgles2 libmtdev1   software OpenGL and input libraries Kivy's SDL2 needs
#   fonts-noto-cjk fonts-wqy-microhei   Simplified-Chinese font faces (screen and receipt rendering)
#   libzbar0                     decodes QR codes from rendered receipts in tests
#   systemd                      systemd-analyze verify for the unit files in deploy/
#   tmux                         driving kiosk-admin as a technician would, in tests
DEBS=(pcscd libpcsclite-dev swig vsmartcard-vpcd libsane1 libsane-dev sane-utils
      xvfb xauth libgl1-mesa-dri libegl1 libgles2 libmtdev1
      fonts-noto-cjk fonts-wqy-microhei libzbar0 systemd tmux
      libusb-1.0-0  # pyusb loads it for USB receipt printers (usb://VENDOR:PRODUCT)
      espeak-ng     # offline voice guidance: renders each prompt once (cmn-latn-pinyin, en-us)
      libzinnia0 tegaki-zinnia-simplified-chinese  # handwriting input: Zinnia (ctypes) and its zh_CN model
      janus iproute2  # 视频帮办: the WebRTC gateway the wire tests start in a network namespace they make (ip netns)
      libjs-janus-gateway libjs-webrtc-adapter  # 视频帮办: janus.js and adapter.js, served by the clerk's console (kiosk/desk)
      chromium  # 视频帮办: the clerk's console under test, headless, driven by playwright (tests/e2e)
      alsa-utils pulseaudio-utils  # 视频帮办: the call's microphone is recorded by arecord (alsa://) or parec (pulse://)
      pulseaudio  # 视频帮办: a PulseAudio server of its own that the media wire test starts (a sine source)
      coturn  # 视频帮办: TURN for kiosks and consoles behind NAT; the TURN e2e test starts turnserver in its namespace
)

PY=${PYTHON:-python3}
# What building the Python packages needs (pyscard and python-sane compile): a C compiler, the
# Python headers and venv. A pyenv or self-built Python brings its own headers and venv; Debian's
# python3 needs python3-dev and python3-venv.
command -v cc >/dev/null 2>&1 || DEBS+=(gcc)
if ! "$PY" -c 'import os, sysconfig; raise SystemExit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' 2>/dev/null; then
  DEBS+=(python3-dev)
fi
"$PY" -c 'import ensurepip, venv' 2>/dev/null || DEBS+=(python3-venv)

missing=()
for p in "${DEBS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "bootstrap: installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # Always refresh the package lists first: a new machine has none, and an old list names
    # versions the mirror no longer has.
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "bootstrap: these Debian packages are missing; install them as root, then run this again:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 2
  fi
fi
[ "${1:-}" = "--packages-only" ] && exit 0
if [ ! -x .venv/bin/python ]; then
  echo "bootstrap: creating .venv"
  "$PY" -m venv .venv
fi
stamp=.venv/.kiosk-installed
if [ ! -f "$stamp" ] || [ setup.cfg -nt "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "bootstrap: installing the kiosk into .venv (pip)"
  .venv/bin/python -m pip install -q --upgrade pip setuptools wheel
  .venv/bin/python -m pip install -q -e ".[test]"
  touch "$stamp"
fi
# The Simplified-Chinese face, extracted once from the Noto CJK collection (see kiosk/fonts.py).
.venv/bin/python -m kiosk.fonts >/dev/null
