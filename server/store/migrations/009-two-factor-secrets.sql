-- Two-factor login (TOTP, RFC 6238) with one-time recovery codes, and sign-in settings. The TOTP
-- seed is sealed with the key file outside the database (server/auth/secret-box.ts); recovery codes carry 80 random bits and are kept as SHA-256 only.
CREATE TABLE user_totp (
  user_id         TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  secret_sealed   TEXT NOT NULL,
  -- NULL while the enrolment waits for its first code.
  confirmed_at_ms INTEGER,
  -- RFC 6238 time step of the last accepted code: a code is accepted once (no replay in its window).
  last_time_step  INTEGER NOT NULL DEFAULT 0,
  created_at_ms   INTEGER NOT NULL
);

CREATE TABLE user_recovery_codes (
  user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  code_hash     TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  used_at_ms    INTEGER,
  PRIMARY KEY (user_id, code_hash)
);

-- Sign-in settings an admin changes (the two-factor policy). A value
-- that holds a secret keeps it in secret_sealed, never in value_json.
CREATE TABLE auth_settings (
  key           TEXT PRIMARY KEY,
  value_json    TEXT NOT NULL,
  secret_sealed TEXT,
  updated_at_ms INTEGER NOT NULL,
  updated_by    TEXT
);
