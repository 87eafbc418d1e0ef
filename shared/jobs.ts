/**
 * Maintenance jobs on the agent protocol (v1), as zod schemas. A job is a signed envelope naming
 * one task of the predefined catalogue; the agent checks it completely before anything runs and
 * answers with status frames. docs/PROTOCOL.md ("Maintenance jobs") is the prose version.
 *
 *   agent                                                 server
 *     | <------ job { job: envelope, signature, keyId } --- |  (queued → sent)
 *     | -- jobStatus { jobId, state: running } -----------> |  (journalled on the agent first)
 *     | -- jobStatus { jobId, state: done|failed|refused } > |
 *     | <------------------------- jobAck { jobId, state } - |  (stored; the agent stops resending)
 */
import { z } from 'zod';
import { JOB_AGENT_STATES, JOB_TASK_NAMES, MAX_JOB_OUTPUT_CHARS, MAX_JOB_RESULT_CHARS } from './job-constants.js';
import { PROTOCOL_VERSION } from './protocol-constants.js';

const version = z.literal(PROTOCOL_VERSION);
const timeMs = z.number().int().min(946_684_800_000).max(32_503_680_000_000);
const id = z
  .string()
  .min(8)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/);

/** A package, update or service name as the catalogue accepts it: no option-like or shell characters. */
export const safeNameSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9][A-Za-z0-9+._:@~-]*$/);

/** Parameters of each catalogue task (strict: an unknown key is an error, never ignored). */
export const taskParamsSchemas = {
  'updates.scan': z.object({}).strict(),
  'updates.install': z
    .object({
      scope: z.enum(['all', 'security', 'list']),
      /** With scope "list": exactly these packages (apt/dnf/zypper names, Windows KB ids, macOS labels). */
      packages: z.array(safeNameSchema).min(1).max(500).optional(),
    })
    .strict()
    .refine((p) => (p.scope === 'list') === (p.packages !== undefined), { message: 'packages is required with scope "list" and not allowed otherwise' }),
  'service.restart': z.object({ service: safeNameSchema }).strict(),
  cleanup: z
    .object({
      targets: z
        .array(z.enum(['temp', 'package-cache', 'journal']))
        .min(1)
        .max(3)
        .refine((t) => new Set(t).size === t.length, { message: 'targets must not repeat' }),
      /** Temporary files and journals older than this are removed, days. */
      olderThanDays: z.number().int().min(1).max(365).optional(),
    })
    .strict(),
  reboot: z
    .object({
      /** Minutes between the notice to logged-in users and the reboot. */
      delayMinutes: z.number().int().min(0).max(60),
      message: z
        .string()
        .min(1)
        .max(200)
        .regex(/^[^\0-\x1f]*$/)
        .optional(),
    })
    .strict(),
  'health.check': z.object({}).strict(),
} satisfies Record<(typeof JOB_TASK_NAMES)[number], z.ZodType>;

/** The signed part of a job. Every field is covered by the signature. */
export const jobEnvelopeSchema = z
  .object({
    jobId: id,
    deviceId: z.string().min(1).max(64),
    task: z.string().min(1).max(64),
    params: z.record(z.string(), z.unknown()),
    /** The job may start from this time on, ms since the Unix epoch. */
    notBeforeMs: timeMs,
    /** The job must not start after this time, ms since the Unix epoch. */
    notAfterMs: timeMs,
    /** Random, used once (base64url, ≥ 128 bits). */
    nonce: z
      .string()
      .min(22)
      .max(64)
      .regex(/^[A-Za-z0-9_-]+$/),
  })
  .strict();
export type JobEnvelope = z.infer<typeof jobEnvelopeSchema>;

/** Server → agent: run this job (after checking it). */
export const jobMessageSchema = z.object({
  type: z.literal('job'),
  v: version,
  job: jobEnvelopeSchema,
  /** Ed25519 signature of jobSigningBytes(job), base64url (86 characters). */
  signature: z.string().min(80).max(100),
  /** Fingerprint of the signing key (see keyIdOf), so a mismatch says which key signed. */
  keyId: z.string().min(1).max(64),
  /** More signatures of the same bytes by other keys (an installation moving to one key); an agent accepts the job when any verifies with its pinned key. */
  alsoSignedBy: z
    .array(z.object({ keyId: z.string().min(1).max(64), signature: z.string().min(80).max(100) }))
    .max(4)
    .optional(),
});
export type JobMessage = z.infer<typeof jobMessageSchema>;

/** Agent → server: what happened to a job. */
export const jobStatusSchema = z
  .object({
    type: z.literal('jobStatus'),
    v: version,
    jobId: id,
    state: z.enum(JOB_AGENT_STATES),
    /** When the agent reached this state, ms since the Unix epoch (agent clock). */
    tsMs: timeMs,
    /** Refusal or failure code (JobRefusalCode, JobFailureCode). */
    code: z.string().min(1).max(64).optional(),
    message: z.string().max(1_000).optional(),
    exitCode: z.number().int().optional(),
    durationMs: z.number().int().min(0).optional(),
    /** Combined output, at most MAX_JOB_OUTPUT_CHARS (the end is kept when cut). */
    output: z.string().max(MAX_JOB_OUTPUT_CHARS).optional(),
    /** Size of the whole output, bytes (UTF-8), before any cut. */
    outputBytes: z.number().int().min(0).optional(),
    /** SHA-256 of the whole output (hex), before any cut. */
    outputSha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional(),
    isOutputTruncated: z.boolean().optional(),
    /** Task-specific figures (bytesFreed, packages installed, …). */
    result: z
      .record(z.string(), z.unknown())
      .refine((r) => JSON.stringify(r).length <= MAX_JOB_RESULT_CHARS, { message: `result must be at most ${MAX_JOB_RESULT_CHARS} characters of JSON` })
      .optional(),
  })
  .strict();
export type JobStatus = z.infer<typeof jobStatusSchema>;

/** Server → agent: the status of this job up to `state` is stored; stop resending it. */
export const jobAckSchema = z.object({
  type: z.literal('jobAck'),
  v: version,
  jobId: id,
  state: z.enum(JOB_AGENT_STATES),
});
export type JobAck = z.infer<typeof jobAckSchema>;
