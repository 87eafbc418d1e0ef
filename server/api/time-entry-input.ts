/** The body that books time on an incident or an alert (POST …/time-entries): one definition for both. */
import { z } from 'zod';
import { parseLocalDate } from '../time/zones.js';

/** Minutes of work (1 minute to a day), who did it (default: the caller), a note, and the local day (default: today). */
export const timeEntryInputSchema = z
  .object({
    minutes: z
      .number()
      .int('minutes must be a whole number')
      .min(1)
      .max(24 * 60),
    technician: z.string().trim().min(1).max(100).optional(),
    note: z.string().max(2000).nullable().optional(),
    date: z
      .string()
      .refine((d) => parseLocalDate(d) !== undefined, 'must be a calendar date YYYY-MM-DD')
      .optional(),
  })
  .strict();
