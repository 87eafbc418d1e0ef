/**
 * The server's public URL (GET /api/settings/public-url) for install commands shown in the
 * dashboard: the address client machines reach, not whatever origin this browser used. Until
 * it is known (or if it cannot be read) the browser's origin stands in.
 */
import { useApp } from './app-context.js';
import { useLoad } from './hooks.js';

export function usePublicUrl(): string {
  const { api } = useApp();
  const info = useLoad(() => api.getPublicUrl(), [api]);
  return info.data?.publicUrl ?? window.location.origin;
}
