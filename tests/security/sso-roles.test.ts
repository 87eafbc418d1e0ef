/** The role a provider's claims give (server/auth/sso.ts): claim shapes of Entra ID, Keycloak, Google and Authentik. */
import { describe, expect, it } from 'vitest';
import { claimAt, roleFromClaims } from '../../server/auth/sso.js';

const map = { admin: ['qp-admins', 'Quarkpulse.Admin'], technician: ['qp-techs'], viewer: ['qp-readers'] };

describe('roles from claims', () => {
  it('gives the highest role any of the names reaches', () => {
    expect(roleFromClaims({ groups: ['qp-readers', 'qp-techs'] }, 'groups', map, null)).toBe('technician');
    expect(roleFromClaims({ groups: ['qp-techs', 'qp-admins'] }, 'groups', map, null)).toBe('admin');
    // Entra ID app roles arrive in `roles`.
    expect(roleFromClaims({ roles: ['Quarkpulse.Admin'] }, 'roles', map, null)).toBe('admin');
  });

  it('reads a dotted path (Keycloak realm roles) and a single string', () => {
    expect(roleFromClaims({ realm_access: { roles: ['qp-techs'] } }, 'realm_access.roles', map, null)).toBe('technician');
    expect(roleFromClaims({ role: 'qp-readers' }, 'role', map, null)).toBe('viewer');
  });

  it('falls back to the default role, or to none', () => {
    expect(roleFromClaims({ groups: ['staff'] }, 'groups', map, 'viewer')).toBe('viewer');
    expect(roleFromClaims({ groups: ['staff'] }, 'groups', map, null)).toBeNull();
    expect(roleFromClaims({}, 'groups', map, null)).toBeNull();
    // Names compare exactly: no case folding, no substring.
    expect(roleFromClaims({ groups: ['QP-ADMINS', 'qp-admins-old'] }, 'groups', map, null)).toBeNull();
    // Non-strings in the claim are ignored.
    expect(roleFromClaims({ groups: [{ name: 'qp-admins' }, 7, null] }, 'groups', map, null)).toBeNull();
  });

  it('never walks into the prototype', () => {
    expect(claimAt({}, 'constructor.name')).toBeUndefined();
    expect(claimAt({ a: { b: 1 } }, '__proto__')).toBeUndefined();
    expect(claimAt({ a: { b: 1 } }, 'a.b')).toBe(1);
    expect(roleFromClaims({}, 'toString', { admin: ['x'], technician: [], viewer: [] }, null)).toBeNull();
  });
});
