/**
 * The time-series engine, the one entry the rest of the server imports (docs/STORAGE.md):
 *
 *   ingest ─▶ metrics (head rows, one per report, quantized)
 *        upkeep ─▶ compactor (head rows → compressed blocks, 1 m and 1 h rollups)
 *               └▶ retention (drops what the policy no longer keeps)
 *   queries ─▶ metrics.query (head rows + blocks + rollups at the resolution asked)
 *
 * codec/ holds the block and report encodings; nothing outside this folder needs them.
 */
export { canonicalLabels, createMetricStore, type MetricStore, type MetricStoreOptions, type Resolution } from './metrics.js';
export { createCompactor, type Compactor, type CompactorOptions } from './compactor.js';
export { createRetention, type Retention, type RetentionOptions } from './retention.js';
export { createStorageUpkeep, DEFAULT_VACUUM_ABOVE_PAGES, DEFAULT_VACUUM_PAGES, type StorageUpkeep, type StorageUpkeepOptions } from './storage-upkeep.js';
export { DAY_MS, DEFAULT_RETENTION, validateRetention, type RetentionPolicy } from './retention-policy.js';
