#!/usr/bin/env bash
# Installs (or upgrades) the Quarkpulse agent as a systemd service running as the unprivileged
# system user "quarkpulse". See docs/OPERATIONS.md.
#
#   sudo QP_TOKEN=qpe_… ./install.sh --server https://monitor.example.com [--ca ca.pem]
#   sudo ./install.sh --server https://monitor.example.com --token-file FILE
#   sudo ./install.sh --upgrade                     # new bundle, same enrollment
#   QP_TOKEN=… ./install.sh --dry-run --server …   # print every step, change nothing
#
# The enrollment token comes from QP_TOKEN or a file, never from the command line (other users
# see a process's arguments); the agent reads it from a 0600 file only its user can read.
#
# Options: --bundle FILE (default: ../../../dist/agent/quarkpulse-agent.mjs next to this script,
# or ./quarkpulse-agent.mjs), --node FILE (default: node on PATH, must be 20+), --no-maintenance
# (no root helper, no sudoers rule: maintenance tasks that need root then fail, saying so).
set -euo pipefail

SERVICE=quarkpulse-agent
AGENT_USER=quarkpulse
PREFIX=/opt/quarkpulse
CONFIG_DIR=/etc/quarkpulse
STATE_DIR=/var/lib/quarkpulse
UNIT_FILE=/etc/systemd/system/${SERVICE}.service
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

server='' token=${QP_TOKEN:-} token_file='' ca='' bundle='' node_bin='' dry_run=0 upgrade=0 maintenance=1

die() { echo "install.sh: $*" >&2; exit 2; }
usage() { sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --server) server=${2:-}; shift 2 ;;
    --token) die "--token is not accepted (other users see the command line): set QP_TOKEN=qpe_… or use --token-file FILE" ;;
    --token-file) token_file=${2:-}; shift 2 ;;
    --ca) ca=${2:-}; shift 2 ;;
    --bundle) bundle=${2:-}; shift 2 ;;
    --node) node_bin=${2:-}; shift 2 ;;
    --upgrade) upgrade=1; shift ;;
    --no-maintenance) maintenance=0; shift ;;
    --dry-run) dry_run=1; shift ;;
    -h|--help) usage 0 ;;
    *) die "unknown option $1 (try --help)" ;;
  esac
done
if [ -n "$token_file" ]; then
  [ -r "$token_file" ] || die "--token-file $token_file cannot be read"
  token=$(tr -d ' \t\r\n' < "$token_file")
fi

# Every change goes through run: --dry-run prints it instead.
run() {
  if [ "$dry_run" = 1 ]; then printf '+ %s\n' "$*"; else "$@"; fi
}

if [ -z "$bundle" ]; then
  for candidate in "$HERE/../../../dist/agent/quarkpulse-agent.mjs" "$HERE/quarkpulse-agent.mjs" ./quarkpulse-agent.mjs; do
    if [ -f "$candidate" ]; then bundle=$candidate; break; fi
  done
fi
if [ -z "$bundle" ] || [ ! -f "$bundle" ]; then
  die "agent bundle not found; build it with 'npm run build:agent' or pass --bundle FILE"
fi

node_bin=${node_bin:-$(command -v node || true)}
[ -n "$node_bin" ] || die "node not found; install Node.js 20 or newer, or pass --node FILE"
node_major=$("$node_bin" -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || die "Node.js $node_major is too old; the agent needs 20 or newer"

if [ "$upgrade" = 1 ]; then
  [ -f "$CONFIG_DIR/agent.json" ] || [ "$dry_run" = 1 ] || die "--upgrade: $CONFIG_DIR/agent.json does not exist; install with --server and QP_TOKEN first"
elif [ ! -f "$CONFIG_DIR/agent.json" ]; then
  [ -n "$server" ] || die "--server is required for a first install (e.g. --server https://monitor.example.com)"
  [ -n "$token" ] || die "an enrollment token is required for a first install: set QP_TOKEN=qpe_… (the client's token from the dashboard) or use --token-file FILE"
fi
[ -z "$ca" ] || [ -r "$ca" ] || die "--ca $ca cannot be read"
[ "$dry_run" = 1 ] || [ "$(id -u)" = 0 ] || die "run as root (sudo), or use --dry-run to see the steps"
command -v systemctl >/dev/null 2>&1 || [ "$dry_run" = 1 ] || die "systemd not found; run the agent another way (docs/OPERATIONS.md)"

# 1. A system user with no login and no home of its own.
if ! id -u "$AGENT_USER" >/dev/null 2>&1; then
  run useradd --system --home-dir "$STATE_DIR" --no-create-home --shell /usr/sbin/nologin --comment "Quarkpulse agent" "$AGENT_USER"
fi

# 2. Code owned by root (the agent cannot rewrite itself); config and state owned by the agent.
run install -d -m 0755 -o root -g root "$PREFIX"
run install -m 0644 -o root -g root "$bundle" "$PREFIX/quarkpulse-agent.mjs"
run install -d -m 0700 -o "$AGENT_USER" -g "$AGENT_USER" "$CONFIG_DIR" "$STATE_DIR"
ca_args=()
if [ -n "$ca" ]; then
  run install -m 0644 -o root -g root "$ca" "$CONFIG_DIR/ca.pem"
  ca_args=(--ca "$CONFIG_DIR/ca.pem")
fi

# 3. Enroll once, as the agent's user, so the config (0600, it holds the credential) is its own.
if [ ! -f "$CONFIG_DIR/agent.json" ] && [ "$upgrade" = 0 ]; then
  # The token goes to the agent in a file only its user can read, removed right after.
  token_tmp=$CONFIG_DIR/.enroll-token
  if [ "$dry_run" = 1 ]; then
    printf '+ write %s (0600, owner %s): the enrollment token\n' "$token_tmp" "$AGENT_USER"
  else
    trap 'rm -f "$token_tmp"' EXIT # also when the enrollment fails
    (umask 077 && printf '%s\n' "$token" > "$token_tmp")
    chown "$AGENT_USER" "$token_tmp"
  fi
  run runuser -u "$AGENT_USER" -- "$node_bin" "$PREFIX/quarkpulse-agent.mjs" agent enroll \
    --server "$server" --token-file "$token_tmp" --config "$CONFIG_DIR/agent.json" --state-dir "$STATE_DIR" "${ca_args[@]}"
  run rm -f "$token_tmp"
fi
if [ "$dry_run" = 0 ]; then
  chown "$AGENT_USER:$AGENT_USER" "$CONFIG_DIR/agent.json"
  chmod 0600 "$CONFIG_DIR/agent.json"
fi

# 4. The unit, with this machine's node and bundle paths.
unit=$(sed -e "s#@NODE@#$node_bin#g" -e "s#@BUNDLE@#$PREFIX/quarkpulse-agent.mjs#g" "$HERE/quarkpulse-agent.service")
if [ "$dry_run" = 1 ]; then
  printf '+ write %s:\n%s\n' "$UNIT_FILE" "$unit"
else
  printf '%s\n' "$unit" > "$UNIT_FILE"
  chmod 0644 "$UNIT_FILE"
fi
# 5. Maintenance: one root-owned helper with fixed verbs, the one sudoers line that allows exactly
#    it, and a drop-in that lets sudo work inside the unit (docs/MAINTENANCE.md "Root").
DROPIN_DIR=/etc/systemd/system/${SERVICE}.service.d
if [ "$maintenance" = 1 ]; then
  command -v sudo >/dev/null 2>&1 || [ "$dry_run" = 1 ] || die "sudo not found; install it (apt-get install sudo) or pass --no-maintenance"
  run install -m 0755 -o root -g root "$HERE/quarkpulse-maint-helper" "$PREFIX/quarkpulse-maint-helper"
  run visudo -cf "$HERE/quarkpulse-agent.sudoers"
  run install -m 0440 -o root -g root "$HERE/quarkpulse-agent.sudoers" /etc/sudoers.d/quarkpulse-agent
  run install -d -m 0755 -o root -g root "$DROPIN_DIR"
  run install -m 0644 -o root -g root "$HERE/maintenance.conf" "$DROPIN_DIR/maintenance.conf"
else
  run rm -f /etc/sudoers.d/quarkpulse-agent "$DROPIN_DIR/maintenance.conf" "$PREFIX/quarkpulse-maint-helper"
fi
run systemctl daemon-reload
run systemctl enable "$SERVICE"
run systemctl restart "$SERVICE"

echo "Quarkpulse agent installed: systemctl status $SERVICE; journalctl -u $SERVICE -f"
