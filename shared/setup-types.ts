/** Shapes of the first-start setup and the public URL (docs/API.md, "First start"). */

/** GET /api/setup. */
export interface SetupStatus {
  /** True while the server waits for its setup (no user yet, no QP_ADMIN_PASSWORD). */
  isNeeded: boolean;
  /** The public URL given by --public-url / QP_PUBLIC_URL, which wins over the form's. */
  publicUrlOverride: string | null;
}

/** A public URL as the server would store it, with what may be wrong with it. */
export interface PublicUrlCheck {
  url: string;
  /** Plain-word warnings (loopback, private network, does not resolve, plain http); it is still accepted. */
  warnings: string[];
}

/** POST /api/setup's body. */
export interface SetupBody {
  code: string;
  admin: { username: string; password: string; email?: string | null };
  publicUrl: string;
  timezone: string;
  client?: { name: string; contract: 'monthly' | 'break-fix'; monthlyFee?: number; hourlyRate?: number };
  /** The e-mail channel's config: host, port, secure, tls, auth, from. */
  email?: Record<string, unknown>;
}

/** GET /api/settings/public-url. */
export interface PublicUrlInfo {
  publicUrl: string;
  /** flag: --public-url / QP_PUBLIC_URL; setup: chosen on the setup page or later; listen address: none set. */
  source: 'flag' | 'setup' | 'listen address';
  isLoopback: boolean;
  /** Whether any notification channel exists (a loopback URL then breaks their links). */
  hasChannels: boolean;
  warnings?: string[];
}
