#!/usr/bin/env bash
# Removes what install.sh put in place: units, udev rules, PAM and sysusers/tmpfiles entries,
# the session script and the virtualenv. Keeps the site config (/etc/kiosk), the data
# (/var/lib/kiosk: the outbox may still hold applications not yet forwarded), the logs and the
# `kiosk` user, unless --purge is given. Honours DESTDIR / --destdir like install.sh.
#
#   sudo deploy/uninstall.sh             remove the software, keep config and data
#   sudo deploy/uninstall.sh --purge     also delete config, outbox, logs and the user; refused
#                                        while the outbox holds applications not yet delivered
#   sudo deploy/uninstall.sh --purge --discard-undelivered   purge even then
set -euo pipefail

DESTDIR=${DESTDIR:-}
PURGE=0
DISCARD=0
while [ $# -gt 0 ]; do
  case "$1" in
    --destdir) DESTDIR=${2:?--destdir needs a folder}; shift 2 ;;
    --purge) PURGE=1; shift ;;
    --discard-undelivered) DISCARD=1; shift ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "uninstall.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done
D=${DESTDIR%/}
say() { echo "uninstall: $*"; }
if [ -z "$D" ] && [ "$(id -u)" -ne 0 ]; then
  echo "uninstall: run as root" >&2; exit 1
fi

# Before anything is removed: a purge must not throw away applications the outbox has not yet
# delivered (queued, being sent, or dead and waiting for a technician).
# (KIOSK_ADMIN names another kiosk-admin, with its --config, for a trial root.)
if [ $PURGE -eq 1 ] && [ -e "$D/var/lib/kiosk/outbox/outbox.sqlite3" ]; then
  status=$(${KIOSK_ADMIN:-$D/opt/kiosk/venv/bin/kiosk-admin} queue status --json 2>/dev/null || true)
  undelivered=$(printf '%s' "$status" | python3 -c 'import json,sys
try:
    c = json.load(sys.stdin)["counts"]; print(c["queued"] + c["sending"] + c["dead"])
except Exception:
    print("unknown")' 2>/dev/null || echo unknown)
  if [ "$undelivered" != "0" ] && [ $DISCARD -eq 0 ]; then
    echo "uninstall: the outbox holds $undelivered application(s) not delivered, or kiosk-admin could not tell (kiosk-admin queue status);" >&2
    echo "  forward them first (kiosk-admin queue forward --once), or add --discard-undelivered to purge anyway" >&2
    exit 1
  fi
fi

UNITS=(kiosk.service kiosk-forwarder.service)
if [ -n "$D" ]; then
  [ -d "$D" ] || { echo "uninstall: $D: no such folder" >&2; exit 1; }
  systemctl --root="$D" disable "${UNITS[@]}" >/dev/null 2>&1 || true
else
  systemctl disable --now "${UNITS[@]}" 2>/dev/null || true
fi


for f in /etc/systemd/system/kiosk.service /etc/systemd/system/kiosk-forwarder.service \
         /etc/udev/rules.d/99-kiosk.rules /etc/pam.d/kiosk /etc/sysusers.d/kiosk.conf \
         /etc/tmpfiles.d/kiosk.conf /usr/local/bin/kiosk-admin; do
  if [ -e "$D$f" ] || [ -L "$D$f" ]; then rm -f "$D$f"; say "removed $f"; fi
done
if [ -d "$D/opt/kiosk" ]; then rm -rf "$D/opt/kiosk"; say "removed /opt/kiosk"; fi

if [ -z "$D" ]; then
  systemctl daemon-reload
  udevadm control --reload || true
fi

if [ $PURGE -eq 1 ]; then
  for d in /etc/kiosk /var/lib/kiosk /var/log/kiosk; do
    if [ -d "$D$d" ]; then rm -rf "$D$d"; say "purged $d"; fi
  done
  if [ -z "$D" ]; then
    if id kiosk >/dev/null 2>&1; then userdel kiosk && say "removed the user kiosk"; fi
  elif grep -q '^kiosk:' "$D/etc/passwd" 2>/dev/null; then
    for f in passwd shadow group gshadow; do
      [ -f "$D/etc/$f" ] && sed -i '/^kiosk:/d' "$D/etc/$f"
    done
    say "removed the user kiosk"
  fi
else
  say "kept /etc/kiosk, /var/lib/kiosk, /var/log/kiosk and the user kiosk (--purge removes them)"
fi
say "done."
