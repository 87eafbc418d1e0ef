-- Client reports and billing as MSPs bill (issue: client reports in Dutch and English).
--
--   client_report_settings  per client: report language, who receives the monthly report, how
--                           booked time is rounded for billing, and the internal cost rate that
--                           measures effort on monthly contracts
--   alert_time_entries      time booked on alerts (monthly clients): not billed, it measures effort
--   client_reports          the archive of rendered monthly reports and their delivery

CREATE TABLE client_report_settings (
  client_id               TEXT PRIMARY KEY REFERENCES clients(id) ON DELETE CASCADE,
  language                TEXT NOT NULL DEFAULT 'nl' CHECK (language IN ('en', 'nl')),
  report_contacts_json    TEXT NOT NULL DEFAULT '[]',
  rounding_increment_min  INTEGER NOT NULL DEFAULT 1 CHECK (rounding_increment_min BETWEEN 1 AND 240),
  minimum_charge_min      INTEGER NOT NULL DEFAULT 0 CHECK (minimum_charge_min BETWEEN 0 AND 480),
  internal_cost_rate      REAL NOT NULL DEFAULT 0 CHECK (internal_cost_rate >= 0)
);

CREATE TABLE alert_time_entries (
  id            TEXT PRIMARY KEY,
  alert_id      TEXT NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
  technician    TEXT NOT NULL,
  minutes       INTEGER NOT NULL CHECK (minutes > 0),
  note          TEXT,
  work_date     TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  created_by    TEXT
);
CREATE INDEX alert_time_entries_alert ON alert_time_entries (alert_id);
CREATE INDEX alert_time_entries_date ON alert_time_entries (work_date);

CREATE TABLE client_reports (
  id              TEXT PRIMARY KEY,
  client_id       TEXT NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  month           TEXT NOT NULL,
  language        TEXT NOT NULL,
  created_at_ms   INTEGER NOT NULL,
  pdf_sha256      TEXT NOT NULL,
  pdf             BLOB NOT NULL,
  -- 'sent' (queued in the outbox), 'no-contacts' (nobody to send to), 'failed' (render failed)
  delivery        TEXT NOT NULL,
  detail          TEXT
);
CREATE INDEX client_reports_month ON client_reports (client_id, month);
