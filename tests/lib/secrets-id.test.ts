/**
 * Row ids: 16 URL-safe characters that never start with `-` or `_` (which the CLI would read as
 * an option and the CSV export's formula guard would prefix). 20,000 draws see the redraw path
 * about 600 times.
 */
import { describe, expect, it } from 'vitest';
import { generateId } from '../../server/lib/secrets.js';

describe('generateId', () => {
  it('gives unique 16-character URL-safe ids that start with a letter or digit', () => {
    const ids = new Set<string>();
    let inner = 0;
    for (let i = 0; i < 20_000; i++) {
      const id = generateId();
      expect(id).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]{15}$/);
      if (/[-_]/.test(id)) inner++;
      ids.add(id);
    }
    expect(ids.size).toBe(20_000);
    // `-` and `_` still appear inside ids: only the first character is constrained.
    expect(inner).toBeGreaterThan(0);
  });
});
