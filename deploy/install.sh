#!/usr/bin/env bash
# Installs the kiosk on a Debian 12 machine: the `kiosk` user, its folders, a virtualenv with the
# kiosk in it, the systemd units, the udev rules and the cage session. Idempotent: run it again
# after an update. With DESTDIR (or --destdir) everything goes under that root instead of /
# (tests, image builds); nothing on the running system is touched then.
#
#   sudo deploy/install.sh                         install or update this machine
#   sudo deploy/install.sh --wheels /media/usb/wheels   offline: pip uses only that folder
#   deploy/install.sh --destdir /tmp/root --no-venv      into a temporary root
#
# Then: kiosk-admin provision ... ; kiosk-admin selftest ; systemctl start kiosk-forwarder kiosk
set -euo pipefail

usage() {
  sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
  cat <<'USAGE'
options:
  --destdir DIR   install under DIR instead of / (also: DESTDIR=DIR in the environment)
  --wheels DIR    install Python packages only from DIR (no network)
  --no-venv       do not create or update the virtualenv
  --no-apt        do not install missing Debian packages
  --no-enable     install the units but do not enable them
USAGE
}

DESTDIR=${DESTDIR:-}
WHEELS="" ; DO_VENV=1 ; DO_APT=1 ; DO_ENABLE=1
while [ $# -gt 0 ]; do
  case "$1" in
    --destdir) DESTDIR=${2:?--destdir needs a folder}; shift 2 ;;
    --wheels) WHEELS=${2:?--wheels needs a folder}; shift 2 ;;
    --no-venv) DO_VENV=0; shift ;;
    --no-apt) DO_APT=0; shift ;;
    --no-enable) DO_ENABLE=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done

SRC=$(cd "$(dirname "$0")/.." && pwd)
D=${DESTDIR%/}
PREFIX=/opt/kiosk                       # the venv, the session script, this guide
VENV=$PREFIX/venv
IS_ROOT=0; [ "$(id -u)" -eq 0 ] && IS_ROOT=1

say() { echo "install: $*"; }
die() { echo "install: $*" >&2; exit 1; }

if [ -z "$D" ] && [ $IS_ROOT -eq 0 ]; then
  die "run as root (sudo deploy/install.sh), or give --destdir for a trial install"
fi
if [ -n "$D" ]; then
  mkdir -p "$D"
  D=$(cd "$D" && pwd)
  [ "$D" != "/" ] || D=""
fi

# ---- Debian packages the kiosk needs at run time (not the test rigs: see bootstrap.sh) ------
#   cage                 the Wayland compositor that shows only the kiosk app
#   pcscd                PC/SC daemon for the social security card reader
#   libsane1             scanners (高拍仪) through SANE
#   fonts-noto-cjk       the Simplified-Chinese face the screen and receipts use
#   python3-venv         the virtualenv the kiosk runs in
#   libgl1-mesa-dri libegl1 libgles2 libmtdev1   OpenGL and touch input for Kivy's SDL2
# alsa-utils: the 视频帮办 call's microphone is recorded by arecord (alsa:// in [video] microphone)
RUNTIME_DEBS=(cage pcscd libsane1 fonts-noto-cjk python3-venv libgl1-mesa-dri libegl1 libgles2 libmtdev1 alsa-utils)
if [ -z "$D" ] && [ $DO_APT -eq 1 ]; then
  missing=()
  for p in "${RUNTIME_DEBS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing Debian packages: ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
      || die "apt-get could not install ${missing[*]} (offline? install them from the kiosk image, or use --no-apt)"
  fi
fi

# ---- files ---------------------------------------------------------------------------------
put() {  # put MODE SOURCE TARGET   (copy only when different, so a re-run changes nothing)
  local mode=$1 src=$2 dst=$D$3
  if [ -f "$dst" ] && cmp -s "$src" "$dst"; then
    chmod "$mode" "$dst"
  else
    install -D -m "$mode" "$src" "$dst"
    say "wrote $3"
  fi
}
put 0644 "$SRC/deploy/systemd/kiosk.service"           /etc/systemd/system/kiosk.service
put 0644 "$SRC/deploy/systemd/kiosk-forwarder.service" /etc/systemd/system/kiosk-forwarder.service
put 0644 "$SRC/deploy/udev/99-kiosk.rules"             /etc/udev/rules.d/99-kiosk.rules
put 0644 "$SRC/deploy/pam/kiosk"                       /etc/pam.d/kiosk
put 0644 "$SRC/deploy/sysusers/kiosk.conf"             /etc/sysusers.d/kiosk.conf
put 0644 "$SRC/deploy/tmpfiles/kiosk.conf"             /etc/tmpfiles.d/kiosk.conf
put 0755 "$SRC/deploy/session/kiosk-session"           $PREFIX/bin/kiosk-session
put 0644 "$SRC/deploy/README.md"                       $PREFIX/share/README.md
for site in "$SRC"/deploy/sites/*; do
  [ -f "$site" ] && put 0644 "$site" "$PREFIX/share/sites/$(basename "$site")"
done
# the example interface profiles (and the WSDL / API document each speaks), beside the site
# templates: a site template names one as profiles/<name>; provisioning copies it next to the config
for f in "$SRC"/deploy/profiles/*; do
  [ -f "$f" ] && put 0644 "$f" "$PREFIX/share/sites/profiles/$(basename "$f")"
done

# ---- the user and its folders ---------------------------------------------------------------
if [ $IS_ROOT -eq 1 ]; then
  if [ -n "$D" ]; then
    systemd-sysusers --root="$D" >/dev/null
    systemd-tmpfiles --root="$D" --create kiosk.conf
  else
    systemd-sysusers kiosk.conf
    systemd-tmpfiles --create kiosk.conf
  fi
else  # a trial install as an ordinary user: folders and modes, owners left as they are
  say "not root: the kiosk user is not created and owners are not set"
  install -d -m 0750 "$D/etc/kiosk" "$D/var/lib/kiosk" "$D/var/lib/kiosk/catalog" "$D/var/log/kiosk"
fi

# ---- the virtualenv ---------------------------------------------------------------------------
if [ $DO_VENV -eq 1 ]; then
  [ -x "$D$VENV/bin/python" ] || { say "creating the virtualenv $VENV"; python3 -m venv "$D$VENV"; }
  pipargs=(-q --disable-pip-version-check)
  [ -n "$WHEELS" ] && pipargs+=(--no-index --find-links "$WHEELS")
  say "installing the kiosk into $VENV (pip)"
  if ! "$D$VENV/bin/python" -m pip install "${pipargs[@]}" --upgrade "$SRC"; then
    if [ -n "$WHEELS" ]; then
      die "pip could not install the kiosk from $WHEELS (it must hold every wheel, setuptools and wheel included)"
    fi
    die "pip could not install the kiosk (offline? use --wheels DIR with the wheels from the release)"
  fi
  "$D$VENV/bin/python" -m kiosk.fonts >/dev/null || say "warning: the Simplified-Chinese font face was not extracted (kiosk.fonts)"
fi
# kiosk-admin on the technician's PATH
mkdir -p "$D/usr/local/bin"
[ "$(readlink "$D/usr/local/bin/kiosk-admin" 2>/dev/null)" = "$VENV/bin/kiosk-admin" ] \
  || ln -sfn "$VENV/bin/kiosk-admin" "$D/usr/local/bin/kiosk-admin"

# ---- enable -----------------------------------------------------------------------------------
if [ $DO_ENABLE -eq 1 ]; then
  if [ -n "$D" ]; then
    systemctl --root="$D" enable kiosk.service kiosk-forwarder.service >/dev/null 2>&1 \
      || die "systemctl --root could not enable the units"
  else
    systemctl daemon-reload
    systemctl enable kiosk.service kiosk-forwarder.service
    udevadm control --reload
    udevadm trigger --subsystem-match=tty --subsystem-match=usb --subsystem-match=usbmisc
  fi
fi

say "done."
if [ -z "$D" ]; then
  [ -f /etc/kiosk/kiosk.toml ] || say "next: kiosk-admin provision --site $PREFIX/share/sites/<site>.toml --kiosk-id <id> --out /etc/kiosk"
  say "then: kiosk-admin selftest && systemctl restart kiosk-forwarder kiosk"
fi
