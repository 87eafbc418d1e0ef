#!/usr/bin/env bash
# Removes the Quarkpulse launchd daemon and its code. Keeps the config and spool in
# "/Library/Application Support/Quarkpulse" unless --purge (which also deletes the _quarkpulse user).
#
#   sudo ./uninstall.sh [--purge] [--dry-run]
set -euo pipefail
LABEL=com.quarkpulse.agent
purge=0 dry_run=0
for arg in "$@"; do
  case "$arg" in
    --purge) purge=1 ;;
    --dry-run) dry_run=1 ;;
    *) echo "uninstall.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done
run() {
  if [ "$dry_run" = 1 ]; then printf '+ %s\n' "$*"; else "$@"; fi
}
[ "$dry_run" = 1 ] || [ "$(id -u)" = 0 ] || { echo "uninstall.sh: run with sudo" >&2; exit 2; }
run launchctl bootout "system/$LABEL" || true
run rm -f "/Library/LaunchDaemons/$LABEL.plist"
run rm -rf /usr/local/lib/quarkpulse
if [ "$purge" = 1 ]; then
  run rm -rf "/Library/Application Support/Quarkpulse" /Library/Logs/Quarkpulse
  run dscl . -delete /Users/_quarkpulse || true
  run dscl . -delete /Groups/_quarkpulse || true
fi
echo "Quarkpulse agent removed."
