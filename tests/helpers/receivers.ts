/**
 * Real receivers on loopback for notification tests: an SMTP server (npm smtp-server, plain
 * SMTP without STARTTLS, the way a local relay runs) that keeps every mail, and an HTTP server
 * that keeps every request and answers what the test says — and can go down (connections
 * refused) and come back on the same port.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One received mail, with the parts tests look at decoded. */
export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  headers: Record<string, string>;
  subject: string;
  /** The text/plain part, decoded. */
  text: string;
}

function decodeQuotedPrintable(s: string): string {
  const bytes: number[] = [];
  const soft = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < soft.length; i++) {
    const c = soft[i]!;
    if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(soft.slice(i + 1, i + 3))) {
      bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(c, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

function parseHeaders(block: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return headers;
}

function decodeWord(value: string): string {
  return value.replace(/=\?UTF-8\?([BQ])\?([^?]*)\?=\s*/gi, (_m, enc: string, text: string) =>
    enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : decodeQuotedPrintable(text.replace(/_/g, ' ')),
  );
}

function decodeBody(headers: Record<string, string>, body: string): string {
  const enc = (headers['content-transfer-encoding'] ?? '').toLowerCase();
  if (enc === 'quoted-printable') return decodeQuotedPrintable(body);
  if (enc === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  return body;
}

/** Finds the text/plain part of a (possibly multipart) message. */
function textPart(raw: string): { headers: Record<string, string>; text: string } {
  const split = raw.search(/\r?\n\r?\n/);
  const headers = parseHeaders(raw.slice(0, split));
  const body = raw.slice(split).replace(/^\r?\n\r?\n/, '');
  const boundary = /boundary="?([^";]+)"?/i.exec(headers['content-type'] ?? '')?.[1];
  if (!boundary) return { headers, text: decodeBody(headers, body) };
  for (const part of body.split(`--${boundary}`)) {
    const p = part.replace(/^\r?\n/, '');
    const at = p.search(/\r?\n\r?\n/);
    if (at < 0) continue;
    const ph = parseHeaders(p.slice(0, at));
    if ((ph['content-type'] ?? '').startsWith('text/plain')) return { headers, text: decodeBody(ph, p.slice(at).replace(/^\r?\n\r?\n/, '')).trimEnd() };
  }
  return { headers, text: '' };
}

/** A plain-SMTP receiver on 127.0.0.1; with `users`, it requires AUTH (allowed without TLS: loopback only). */
export async function startSmtpReceiver(opts: { users?: Record<string, string> } = {}) {
  const mails: ReceivedMail[] = [];
  const waiters: (() => void)[] = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: opts.users ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !opts.users,
    allowInsecureAuth: !!opts.users,
    logger: false,
    onAuth(auth, _session, callback) {
      if (opts.users?.[auth.username ?? ''] === auth.password) callback(null, { user: auth.username });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const { headers, text } = textPart(raw);
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          headers,
          subject: decodeWord(headers.subject ?? ''),
          text,
        });
        for (const w of waiters.splice(0)) w();
        callback();
      });
    },
  });
  const port = await new Promise<number>((resolve) => {
    const net = server.listen(0, '127.0.0.1', () => resolve((net.address() as AddressInfo).port));
  });
  return {
    port,
    mails,
    /** Mails to one address. */
    to: (address: string) => mails.filter((m) => m.to.includes(address)),
    /** Resolves once at least `n` mails arrived. */
    async waitFor(n: number, timeoutMs = 5000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (mails.length < n) {
        if (Date.now() > deadline) throw new Error(`expected ${n} mails, got ${mails.length}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 50);
        });
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
export type SmtpReceiver = Awaited<ReturnType<typeof startSmtpReceiver>>;

/** One request the HTTP receiver got. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The status it was answered with. */
  status: number;
}

/** An HTTP receiver on 127.0.0.1 that records requests; `respond` picks each answer's status. */
export async function startHttpReceiver(opts: { port?: number } = {}) {
  const requests: ReceivedRequest[] = [];
  let respond: (req: ReceivedRequest) => number | 'hang' = () => 200;
  let server: Server | undefined;
  const hanging = new Set<import('node:http').ServerResponse>();

  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const r: ReceivedRequest = {
            method: req.method ?? '',
            path: req.url ?? '',
            headers: req.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            status: 0,
          };
          const answer = respond(r);
          if (answer === 'hang') {
            hanging.add(res);
            requests.push({ ...r, status: -1 });
            return;
          }
          r.status = answer;
          requests.push(r);
          res.writeHead(answer, { 'content-type': 'text/plain' }).end(answer < 300 ? 'ok' : `refused with ${answer}`);
        });
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve((server!.address() as AddressInfo).port));
    });

  const port = await listen(opts.port ?? 0);
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const res of hanging) res.destroy();
      hanging.clear();
      if (!server) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
      server = undefined;
    });
  return {
    port,
    url: (p = '/') => `http://127.0.0.1:${port}${p}`,
    requests,
    /** Requests to one path that were answered 2xx. */
    accepted: (p: string) => requests.filter((r) => r.path === p && r.status >= 200 && r.status < 300),
    setRespond(fn: (req: ReceivedRequest) => number | 'hang') {
      respond = fn;
    },
    /** Takes the receiver down: connections are refused until up(). */
    down: stop,
    /** Brings it back on the same port. */
    async up() {
      await listen(port);
    },
    close: stop,
  };
}
export type HttpReceiver = Awaited<ReturnType<typeof startHttpReceiver>>;

/** A clock tests move by hand. */
export function manualClock(startMs = Date.UTC(2025, 6, 1, 10, 0, 0)) {
  let t = startMs;
  return {
    now: () => t,
    set: (ms: number) => {
      t = ms;
    },
    advance: (ms: number) => {
      t += ms;
    },
  };
}
