-- Single sign-on (OIDC): which account at the identity provider is which user, and how each
-- session was started. A user is linked by the provider's issuer and its stable subject id
-- (never by e-mail or name, which the provider's users can change themselves).
CREATE TABLE user_identities (
  issuer           TEXT NOT NULL,
  subject          TEXT NOT NULL,
  user_id          TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at_ms    INTEGER NOT NULL,
  last_login_at_ms INTEGER NOT NULL,
  PRIMARY KEY (issuer, subject)
);
CREATE INDEX user_identities_user ON user_identities (user_id);

-- 'password': the password (and second factor) here; 'sso': the identity provider, which then
-- owns the second factor.
ALTER TABLE sessions ADD COLUMN method TEXT NOT NULL DEFAULT 'password' CHECK (method IN ('password', 'sso'));
