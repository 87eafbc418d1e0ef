/**
 * What an SMS says, for every SMS channel (Twilio, MessageBird): the title, and on a page the
 * acknowledge link — short, because every 153 characters is another billed segment. Phone
 * numbers are E.164 (+31612345678).
 */
import { z } from 'zod';
import type { NotificationMessage } from './types.js';
import { truncate } from '../../../shared/format.js';

/** A phone number in E.164: + and 7–15 digits. */
export const e164Schema = z
  .string()
  .trim()
  .regex(/^\+[1-9]\d{6,14}$/, 'must be a phone number in international form, such as +31612345678');

/** The title cut to this, so a page with its link stays within three segments. */
const MAX_TITLE = 200;

/** The SMS text of `message`. */
export function smsText(message: NotificationMessage): string {
  const title = truncate(message.title, MAX_TITLE);
  return message.ackUrl ? `${title}\nAcknowledge: ${message.ackUrl}` : title;
}
