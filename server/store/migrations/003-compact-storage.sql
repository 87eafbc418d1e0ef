-- Compact metric storage (issue #7). Pre-release: the naive per-value `samples` table is dropped,
-- not converted (no installation has data worth keeping yet).
--
--   head_reports      one row per stored report: compact binary of all its values (codec/report.ts),
--                     written by ingest; moved into blocks by the compactor once its hour has closed
--   raw_blocks        one row per device per hour: all series, column-wise (codec/block.ts)
--   rollup_1m_blocks  one row per device per hour: 60 one-minute buckets of min/max/sum/count
--   rollup_1h_blocks  one row per device per day: 24 one-hour buckets of min/max/sum/count
--
-- A value is in exactly one of head_reports or raw_blocks, and rollups are computed from the
-- raw block in the same transaction that moves the head rows, so nothing is counted twice and a
-- restart loses nothing. Retention deletes whole blocks.

DROP TABLE samples;

CREATE TABLE head_reports (
  device_id  TEXT NOT NULL,
  ts_ms      INTEGER NOT NULL,
  seq        INTEGER NOT NULL,
  payload    BLOB NOT NULL,
  PRIMARY KEY (device_id, ts_ms, seq)
) WITHOUT ROWID;

CREATE TABLE raw_blocks (
  device_id    TEXT NOT NULL,
  start_ms     INTEGER NOT NULL,
  end_ms       INTEGER NOT NULL,
  point_count  INTEGER NOT NULL,
  value_count  INTEGER NOT NULL,
  payload      BLOB NOT NULL,
  PRIMARY KEY (device_id, start_ms)
) WITHOUT ROWID;

CREATE TABLE rollup_1m_blocks (
  device_id    TEXT NOT NULL,
  start_ms     INTEGER NOT NULL,
  end_ms       INTEGER NOT NULL,
  point_count  INTEGER NOT NULL,
  value_count  INTEGER NOT NULL,
  payload      BLOB NOT NULL,
  PRIMARY KEY (device_id, start_ms)
) WITHOUT ROWID;

CREATE TABLE rollup_1h_blocks (
  device_id    TEXT NOT NULL,
  start_ms     INTEGER NOT NULL,
  end_ms       INTEGER NOT NULL,
  point_count  INTEGER NOT NULL,
  value_count  INTEGER NOT NULL,
  payload      BLOB NOT NULL,
  PRIMARY KEY (device_id, start_ms)
) WITHOUT ROWID;

-- The fleet list shows three latest figures per device; keep them in columns so listing 15,000
-- devices does not parse 15,000 latest_json documents.
ALTER TABLE devices ADD COLUMN cpu_load_pct REAL;
ALTER TABLE devices ADD COLUMN mem_used_pct REAL;
ALTER TABLE devices ADD COLUMN disk_used_pct REAL;
UPDATE devices SET
  cpu_load_pct = json_extract(latest_json, '$."cpu.loadPct"'),
  mem_used_pct = json_extract(latest_json, '$."mem.usedPct"'),
  disk_used_pct = (SELECT max(value) FROM json_each(devices.latest_json) WHERE key LIKE 'fs.usedPct{%');
