#!/usr/bin/env bash
# Installs (or upgrades) the Quarkpulse agent as a launchd daemon running as the hidden system
# user _quarkpulse. See docs/OPERATIONS.md.
#
#   sudo QP_TOKEN=qpe_… ./install.sh --server https://monitor.example.com [--ca ca.pem]
#   sudo ./install.sh --server https://monitor.example.com --token-file FILE
#   sudo ./install.sh --upgrade
#   QP_TOKEN=… ./install.sh --dry-run --server …   # print every step, change nothing
#
# The enrollment token comes from QP_TOKEN or a file, never from the command line (other users
# see a process's arguments); the agent reads it from a 0600 file only its user can read.
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

server='' token=${QP_TOKEN:-} token_file='' ca='' bundle='' node_bin='' dry_run=0 upgrade=0
die() { echo "install.sh: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --server) server=${2:-}; shift 2 ;;
    --token) die "--token is not accepted (other users see the command line): set QP_TOKEN=qpe_… or use --token-file FILE" ;;
    --token-file) token_file=${2:-}; shift 2 ;;
    --ca) ca=${2:-}; shift 2 ;;
    --bundle) bundle=${2:-}; shift 2 ;;
    --node) node_bin=${2:-}; shift 2 ;;
    --upgrade) upgrade=1; shift ;;
    --dry-run) dry_run=1; shift ;;
    -h|--help) sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (try --help)" ;;
  esac
done
if [ -n "$token_file" ]; then
  [ -r "$token_file" ] || die "--token-file $token_file cannot be read"
  token=$(tr -d ' \t\r\n' < "$token_file")
fi
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
  [ -n "$token" ] || die "an enrollment token is required for a first install: set QP_TOKEN=qpe_… (the client's token from the dashboard) or use --token-file FILE"
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
  # The token goes to the agent in a file only its user can read, removed right after.
  token_tmp=$DATA_DIR/.enroll-token
  if [ "$dry_run" = 1 ]; then
    printf '+ write %s (0600, owner %s): the enrollment token\n' "$token_tmp" "$AGENT_USER"
  else
    trap 'rm -f "$token_tmp"' EXIT # also when the enrollment fails
    (umask 077 && printf '%s\n' "$token" > "$token_tmp")
    chown "$AGENT_USER" "$token_tmp"
  fi
  run sudo -u "$AGENT_USER" "$node_bin" "$PREFIX/quarkpulse-agent.mjs" agent enroll \
    --server "$server" --token-file "$token_tmp" --config "$DATA_DIR/agent.json" --state-dir "$DATA_DIR/state" "${ca_args[@]}"
  run rm -f "$token_tmp"
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
