/**
 * The one rule for user names, shared by the users API and single sign-on.
 */
import { z } from 'zod';

/** 2–50 letters, digits or `. _ @ -` (so an e-mail address fits). */
export const USERNAME_PATTERN = /^[A-Za-z0-9._@-]{2,50}$/;
export const USERNAME_RULE = 'must be 2–50 letters, digits or . _ @ -';

export const usernameSchema = z.string().trim().regex(USERNAME_PATTERN, USERNAME_RULE);
