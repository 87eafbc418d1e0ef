/** The single sign-on part of the API client (docs/API.md, "Single sign-on"). */
import type { SignInMethods, SsoRoleMap, SsoSettingsView } from '../../../shared/api-types.js';
import type { RequestFn } from './api-request.js';

/** PUT /api/auth/sso: the settings; `clientSecret` omitted keeps the stored one. */
export interface SsoSettingsInput {
  isEnabled: boolean;
  displayName: string;
  issuer: string;
  clientId: string;
  clientSecret?: string | null;
  scopes: string[];
  roleClaim: string;
  roleMap: SsoRoleMap;
  defaultRole: 'technician' | 'viewer' | null;
  usernameClaim: SsoSettingsView['usernameClaim'];
  passwordSignIn: 'everyone' | 'break-glass';
  breakGlassUsernames: string[];
}

export interface SsoApi {
  /** What the login page offers (public). */
  getSignInMethods(): Promise<SignInMethods>;
  getSso(): Promise<SsoSettingsView>;
  putSso(input: SsoSettingsInput): Promise<SsoSettingsView>;
}

export function createSsoApi(request: RequestFn): SsoApi {
  return {
    getSignInMethods: async () => (await request<SignInMethods>('GET', '/api/sign-in-methods', undefined, { isLogin: true })).body,
    getSso: async () => (await request<SsoSettingsView>('GET', '/api/auth/sso')).body,
    putSso: async (input) => (await request<SsoSettingsView>('PUT', '/api/auth/sso', input)).body,
  };
}
