/** Who is acting on an authenticated request, in the shape the services take. */
import type { Request } from 'express';
import type { Role } from '../store/users.js';

/** The signed-in user (or the API token's stand-in user) behind a request that passed requireRole. */
export function actorOfRequest(req: Pick<Request, 'user'>): { id: string; username: string; role: Role } {
  const user = req.user!;
  return { id: user.id, username: user.username, role: user.role };
}
