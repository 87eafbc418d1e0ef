/**
 * The config form of each channel type: which fields, how they are typed in, and how form values
 * become the `config` object the server validates (server/notify/channels/*.ts hold the real
 * schemas and answer each mistake as `config.<field>: …`). Which fields are secret comes from the
 * server (GET /api/channels/types); a type this table does not know is edited as raw JSON.
 */

import { activeT, type DashKey } from '../../lib/i18n/index.js';

export interface ConfigField {
  /** Dotted path in `config`, e.g. "auth.pass". */
  path: string;
  label: string;
  kind: 'text' | 'url' | 'number' | 'boolean' | 'select';
  isRequired?: boolean;
  options?: { value: string; label: string }[];
  /** A select whose values are numbers in the config (Pushover's priority). */
  isNumeric?: boolean;
  placeholder?: string;
  hint?: string;
}

const FIELDS: Record<string, ConfigField[]> = {
  webhook: [
    { path: 'url', label: 'URL', kind: 'url', isRequired: true, placeholder: 'https://tickets.example.com/hooks/quarkpulse' },
    {
      path: 'secret',
      label: 'Signing secret',
      kind: 'text',
      isRequired: true,
      hint: 'at least 16 characters; the receiver checks the X-Quarkpulse-Signature HMAC with it',
    },
  ],
  slack: [{ path: 'webhookUrl', label: 'Incoming webhook URL', kind: 'url', isRequired: true, placeholder: 'https://hooks.slack.com/services/…' }],
  teams: [{ path: 'webhookUrl', label: 'Workflow webhook URL', kind: 'url', isRequired: true, placeholder: 'https://…logic.azure.com/workflows/…' }],
  ntfy: [
    { path: 'serverUrl', label: 'Server', kind: 'url', placeholder: 'https://ntfy.sh', hint: 'empty = https://ntfy.sh' },
    { path: 'topic', label: 'Default topic', kind: 'text', hint: 'for people whose contact point names none' },
    { path: 'accessToken', label: 'Access token', kind: 'text', hint: 'for protected topics' },
  ],
  telegram: [
    { path: 'botToken', label: 'Bot token', kind: 'text', isRequired: true, hint: 'from @BotFather, 123456789:AA…' },
    { path: 'chatId', label: 'Default chat id', kind: 'text', hint: 'for people whose contact point names none; -100… for a group' },
    { path: 'apiBaseUrl', label: 'Bot API server', kind: 'url', placeholder: 'https://api.telegram.org', hint: 'empty = Telegram' },
  ],
  pushover: [
    { path: 'appToken', label: 'Application token', kind: 'text', isRequired: true },
    { path: 'userKey', label: 'Default user or group key', kind: 'text', hint: 'for people whose contact point names none' },
    {
      path: 'criticalPriority',
      label: 'Critical pages',
      kind: 'select',
      isNumeric: true,
      options: [
        { value: '1', label: 'high priority' },
        { value: '2', label: 'emergency (repeat until acknowledged)' },
      ],
    },
    { path: 'apiBaseUrl', label: 'API server', kind: 'url', placeholder: 'https://api.pushover.net', hint: 'empty = Pushover' },
  ],
  discord: [{ path: 'webhookUrl', label: 'Channel webhook URL', kind: 'url', isRequired: true, placeholder: 'https://discord.com/api/webhooks/…' }],
  twilio: [
    { path: 'accountSid', label: 'Account SID', kind: 'text', isRequired: true, placeholder: 'AC…' },
    { path: 'authToken', label: 'Auth token', kind: 'text', isRequired: true },
    { path: 'from', label: 'From', kind: 'text', isRequired: true, hint: 'a Twilio number (+31…), a sender name (≤ 11) or a Messaging Service SID (MG…)' },
    { path: 'to', label: 'Default number', kind: 'text', placeholder: '+31612345678', hint: 'for people whose contact point names none' },
    { path: 'apiBaseUrl', label: 'API server', kind: 'url', placeholder: 'https://api.twilio.com', hint: 'empty = Twilio' },
  ],
  messagebird: [
    { path: 'accessKey', label: 'Access key', kind: 'text', isRequired: true },
    { path: 'originator', label: 'Sender', kind: 'text', isRequired: true, hint: 'a number or a name of at most 11 letters' },
    { path: 'to', label: 'Default number', kind: 'text', placeholder: '+31612345678', hint: 'for people whose contact point names none' },
    { path: 'apiBaseUrl', label: 'API server', kind: 'url', placeholder: 'https://rest.messagebird.com', hint: 'empty = MessageBird' },
  ],
  email: [
    { path: 'host', label: 'SMTP host', kind: 'text', isRequired: true, placeholder: 'smtp.example.com' },
    { path: 'port', label: 'Port', kind: 'number', hint: 'empty = 587, or 465 with implicit TLS' },
    {
      path: 'tls',
      label: 'STARTTLS',
      kind: 'select',
      options: [
        { value: 'required', label: 'required' },
        { value: 'opportunistic', label: 'if offered' },
        { value: 'none', label: 'never (local relay)' },
      ],
    },
    { path: 'secure', label: 'Implicit TLS (port 465)', kind: 'boolean' },
    { path: 'from', label: 'From', kind: 'text', isRequired: true, placeholder: 'Quarkpulse <alerts@example.com>' },
    { path: 'auth.user', label: 'Username', kind: 'text', hint: 'empty = no login' },
    { path: 'auth.pass', label: 'Password', kind: 'text' },
  ],
};

/** The form fields of a channel type in the active language, or null when the dashboard does not know the type. */
export function fieldsOf(type: string): ConfigField[] | null {
  const fields = FIELDS[type];
  if (!fields) return null;
  const t = activeT();
  const key = (k: string) => `chf.${type}.${k}` as DashKey;
  return fields.map((f) => ({
    ...f,
    label: t(key(f.path)),
    ...(f.hint ? { hint: t(key(`${f.path}.hint`)) } : {}),
    ...(f.options ? { options: f.options.map((o) => ({ ...o, label: t(key(`${f.path}.${o.value}`)) })) } : {}),
  }));
}

/** Form values: text as typed, booleans as booleans. */
export type FormValues = Record<string, string | boolean>;

function getPath(obj: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let o = obj;
  for (const k of keys.slice(0, -1)) {
    if (typeof o[k] !== 'object' || o[k] === null) o[k] = {};
    o = o[k] as Record<string, unknown>;
  }
  o[keys.at(-1)!] = value;
}

/**
 * Form values of a stored config. Secret fields start empty: the API only answers them masked,
 * and an empty secret on save means "keep the stored one".
 */
export function valuesOf(fields: ConfigField[], config: Record<string, unknown>, secretFields: readonly string[]): FormValues {
  const values: FormValues = {};
  for (const f of fields) {
    const v = getPath(config, f.path);
    if (f.kind === 'boolean') values[f.path] = v === true;
    else values[f.path] = secretFields.includes(f.path) || v === undefined || v === null ? '' : String(v);
  }
  return values;
}

/**
 * The config to send. Empty optional fields are left out; so are empty secrets, which the server
 * then keeps (on create they are simply missing, and the server says so). A group whose fields are
 * all empty (email `auth`) is left out as a whole.
 */
export function configOf(fields: ConfigField[], values: FormValues): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const f of fields) {
    const v = values[f.path];
    if (f.kind === 'boolean') {
      setPath(config, f.path, v === true);
      continue;
    }
    const text = typeof v === 'string' ? v.trim() : '';
    if (text === '') continue;
    setPath(config, f.path, (f.kind === 'number' || f.isNumeric) && Number.isFinite(Number(text)) ? Number(text) : text);
  }
  return config;
}

/** The field a server message such as `config.auth.pass: …` is about, if it names one. */
export function fieldOfError(message: string): string | null {
  const m = /^config\.([\w.]+):/.exec(message);
  return m ? m[1]! : null;
}

/** Non-secret settings of a channel in one line, e.g. "https://hooks.example.com/•••••••• · topic ops". */
export function describeConfig(type: string, config: Record<string, unknown>): string {
  const fields = fieldsOf(type);
  const parts: string[] = [];
  for (const f of fields ?? Object.keys(config).map((path) => ({ path, label: path, kind: 'text' as const }))) {
    const v = getPath(config, f.path);
    if (v === undefined || v === null || v === '' || typeof v === 'object') continue;
    if (f.kind === 'boolean') {
      if (v === true) parts.push(f.label.toLowerCase());
      continue;
    }
    parts.push(f.kind === 'url' ? String(v) : `${f.label.toLowerCase()} ${String(v)}`);
  }
  return parts.join(' · ');
}
