/**
 * API tokens (bearer credentials for scripts): create and revoke, each with its audit entry in
 * the same transaction. The plain token is in the create answer only; the store keeps its hash.
 */
import type { Role } from '../store/users.js';
import type { ApiTokenStore } from '../store/api-tokens.js';
import { API_TOKEN_PREFIX } from '../auth/sessions.js';
import { HttpError } from '../lib/errors.js';
import { generateToken } from '../lib/secrets.js';
import type { AuditActor, AuditLog } from '../audit/audit-log.js';

type ApiTokenInfo = ReturnType<ApiTokenStore['create']>;

export function createApiTokenService(deps: { apiTokens: ApiTokenStore; audit: AuditLog; now: () => number }) {
  const { apiTokens, audit } = deps;
  return {
    /** Creates a token for `createdBy`; 409 API_TOKEN_EXISTS when the name is taken. */
    create(actor: AuditActor, createdBy: string, input: { name: string; role: Role; expiresInDays?: number }): ApiTokenInfo & { token: string } {
      if (apiTokens.findByName(input.name)) throw new HttpError(409, 'API_TOKEN_EXISTS', `an API token named "${input.name}" already exists`);
      const token = generateToken(API_TOKEN_PREFIX);
      const now = deps.now();
      const info = audit.audited(actor, (record) => {
        const info = apiTokens.create(
          { name: input.name, role: input.role, token, createdBy, expiresAtMs: input.expiresInDays ? now + input.expiresInDays * 86_400_000 : null },
          now,
        );
        record({
          action: 'api-token.create',
          entityType: 'api-token',
          entityId: info.id,
          summary: `created API token "${info.name}" (${info.role})`,
          detail: { role: info.role, expiresAtMs: info.expiresAtMs },
        });
        return info;
      });
      return { ...info, token };
    },

    /** Revokes a token (again is a no-op without a second entry); 404 API_TOKEN_NOT_FOUND. */
    revoke(actor: AuditActor, id: string): ApiTokenInfo {
      const before = apiTokens.findById(id);
      if (!before) throw new HttpError(404, 'API_TOKEN_NOT_FOUND', `no API token with id ${id}`);
      return audit.audited(actor, (record) => {
        const info = apiTokens.revoke(id, deps.now())!;
        if (before.revokedAtMs === null)
          record({ action: 'api-token.revoke', entityType: 'api-token', entityId: id, summary: `revoked API token "${info.name}"` });
        return info;
      });
    },
  };
}
export type ApiTokenService = ReturnType<typeof createApiTokenService>;
