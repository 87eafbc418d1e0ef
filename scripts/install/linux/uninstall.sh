#!/usr/bin/env bash
# Removes the Quarkpulse agent service and its code. Keeps /etc/quarkpulse and /var/lib/quarkpulse
# (credential and unsent reports) unless --purge, which also removes them and the quarkpulse user.
# Disable or delete the device on the server too (docs/OPERATIONS.md).
#
#   sudo ./uninstall.sh [--purge] [--dry-run]
set -euo pipefail

SERVICE=quarkpulse-agent
purge=0 dry_run=0
for arg in "$@"; do
  case "$arg" in
    --purge) purge=1 ;;
    --dry-run) dry_run=1 ;;
    -h|--help) sed -n '2,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "uninstall.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done
run() {
  if [ "$dry_run" = 1 ]; then printf '+ %s\n' "$*"; else "$@"; fi
}
[ "$dry_run" = 1 ] || [ "$(id -u)" = 0 ] || { echo "uninstall.sh: run as root (sudo)" >&2; exit 2; }

if [ -f "/etc/systemd/system/$SERVICE.service" ] || [ "$dry_run" = 1 ]; then
  run systemctl disable --now "$SERVICE"
  run rm -f "/etc/systemd/system/$SERVICE.service"
  run systemctl daemon-reload
fi
run rm -f /etc/sudoers.d/quarkpulse-agent
run rm -rf "/etc/systemd/system/$SERVICE.service.d"
run rm -rf /opt/quarkpulse
if [ "$purge" = 1 ]; then
  run rm -rf /etc/quarkpulse /var/lib/quarkpulse
  if id -u quarkpulse >/dev/null 2>&1 || [ "$dry_run" = 1 ]; then run userdel quarkpulse; fi
  echo "Quarkpulse agent removed, with its credential and spool."
else
  echo "Quarkpulse agent removed; /etc/quarkpulse and /var/lib/quarkpulse kept (--purge removes them)."
fi
