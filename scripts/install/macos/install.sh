#!/usr/bin/env bash
# Installs (or upgrades) the Quarkpulse agent as a launchd daemon running as the hidden system
# user _quarkpulse. See docs/OPERATIONS.md.
#
#   sudo ./install.sh --server https://monitor.example.com --token qpe_… [--ca ca.pem]
#   sudo ./install.sh --upgrade
#   ./install.sh --dry-run --server … --token …     # print every step, change nothing
#
# Options: --bundle FILE, --node FILE (default: node on PATH, must be 20+).
set -euo pipefail

LABEL=com.quarkpulse.agent
AGENT_USER=_quarkpulse
PREFIX=/usr/local/lib/quarkpulse
DATA_DIR="/Library/Application Support/Quarkpulse"
LOG_DIR=/Library/Logs/Quarkpulse
PLIST=/Library/LaunchDaemons/$LABEL.plist
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

server='' token='' ca='' bundle='' node_bin='' dry_run=0 upgrade=0
die() { echo "install.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --server) server=${2:-}; shift 2 ;;
    --token) token=${2:-}; shift 2 ;;
    --ca) ca=${2:-}; shift 2 ;;
    --bundle) bundle=${2:-}; shift 2 ;;
    --node) node_bin=${2:-}; shift 2 ;;
    --upgrade) upgrade=1; shift ;;
    --dry-run) dry_run=1; shift ;;
    -h|--help) sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (try --help)" ;;
  esac
done
run() {
  if [ "$dry_run" = 1 ]; then printf '+ %s\n' "$*"; else "$@"; fi
}

if [ -z "$bundle" ]; then
  for candidate in "$HERE/../../../dist/agent/quarkpulse-agent.mjs" "$HERE/quarkpulse-agent.mjs" ./quarkpulse-agent.mjs; do
    if [ -f "$candidate" ]; then bundle=$candidate; break; fi
  done
fi
if [ -z "$bundle" ] || [ ! -f "$bundle" ]; then die "agent bundle not found; pass --bundle FILE"; fi
node_bin=${node_bin:-$(command -v node || true)}
[ -n "$node_bin" ] || die "node not found; install Node.js 20 or newer, or pass --node FILE"
node_major=$("$node_bin" -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || die "Node.js $node_major is too old; the agent needs 20 or newer"
if [ "$upgrade" = 0 ] && [ ! -f "$DATA_DIR/agent.json" ]; then
  [ -n "$server" ] || die "--server is required for a first install"
  [ -n "$token" ] || die "--token is required for a first install"
fi
[ -z "$ca" ] || [ -r "$ca" ] || die "--ca $ca cannot be read"
[ "$dry_run" = 1 ] || [ "$(id -u)" = 0 ] || die "run with sudo, or use --dry-run to see the steps"

# 1. A hidden system user (UID below 500, no shell, no home).
if ! dscl . -read "/Users/$AGENT_USER" >/dev/null 2>&1; then
  uid=300
  while dscl . -list /Users UniqueID 2>/dev/null | awk '{print $2}' | grep -qx "$uid" || dscl . -list /Groups PrimaryGroupID 2>/dev/null | awk '{print $2}' | grep -qx "$uid"; do
    uid=$((uid + 1))
  done
  run dscl . -create "/Groups/$AGENT_USER" PrimaryGroupID "$uid"
  run dscl . -create "/Users/$AGENT_USER" UniqueID "$uid"
  run dscl . -create "/Users/$AGENT_USER" PrimaryGroupID "$uid"
  run dscl . -create "/Users/$AGENT_USER" UserShell /usr/bin/false
  run dscl . -create "/Users/$AGENT_USER" NFSHomeDirectory /var/empty
  run dscl . -create "/Users/$AGENT_USER" IsHidden 1
  run dscl . -create "/Users/$AGENT_USER" RealName "Quarkpulse agent"
fi

# 2. Code owned by root; config, state and log owned by the agent user.
run install -d -m 0755 -o root -g wheel "$PREFIX"
run install -m 0644 -o root -g wheel "$bundle" "$PREFIX/quarkpulse-agent.mjs"
run install -d -m 0700 -o "$AGENT_USER" -g "$AGENT_USER" "$DATA_DIR" "$LOG_DIR"
ca_args=()
if [ -n "$ca" ]; then
  run install -m 0644 -o root -g wheel "$ca" "$DATA_DIR/ca.pem"
  ca_args=(--ca "$DATA_DIR/ca.pem")
fi

# 3. Enroll once, as the agent user, so the 0600 config is its own.
if [ ! -f "$DATA_DIR/agent.json" ] && [ "$upgrade" = 0 ]; then
  run sudo -u "$AGENT_USER" "$node_bin" "$PREFIX/quarkpulse-agent.mjs" agent enroll \
    --server "$server" --token "$token" --config "$DATA_DIR/agent.json" --state-dir "$DATA_DIR/state" "${ca_args[@]}"
fi

# 4. The launchd daemon.
plist=$(sed -e "s#@NODE@#$node_bin#g" -e "s#@BUNDLE@#$PREFIX/quarkpulse-agent.mjs#g" "$HERE/$LABEL.plist")
if [ "$dry_run" = 1 ]; then
  printf '+ write %s:\n%s\n' "$PLIST" "$plist"
else
  launchctl bootout "system/$LABEL" 2>/dev/null || true
  printf '%s\n' "$plist" > "$PLIST"
  chown root:wheel "$PLIST"
  chmod 0644 "$PLIST"
fi
run launchctl bootstrap system "$PLIST"
run launchctl enable "system/$LABEL"
echo "Quarkpulse agent installed: sudo launchctl print system/$LABEL; log in $LOG_DIR/agent.log"
