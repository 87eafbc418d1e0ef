/**
 * Canonical JSON for signatures: object keys sorted by UTF-16 code units, no whitespace, strings
 * and numbers as JSON.stringify writes them. For the values jobs carry (strings, safe integers,
 * booleans, null, arrays, plain objects) this is the JSON Canonicalization Scheme (RFC 8785).
 * Anything else (non-finite or unsafe numbers, undefined, functions) throws, so an ambiguous value
 * can never be signed.
 */
import { JOB_SIGNING_CONTEXT } from './job-constants.js';

/** The canonical text of a JSON value; throws TypeError on values JSON cannot carry exactly. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || (Number.isInteger(value) && !Number.isSafeInteger(value))) {
      throw new TypeError(`canonical JSON cannot carry the number ${value}`);
    }
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  throw new TypeError(`canonical JSON cannot carry a ${typeof value}`);
}

/** The exact bytes a job signature covers: the context line, then the canonical job. */
export function jobSigningBytes(job: unknown): Uint8Array {
  return new TextEncoder().encode(JOB_SIGNING_CONTEXT + canonicalJson(job));
}
