/** English texts: the audit log (the reference for audit-nl.ts). */
export const auditEn = {
  'audit.entity':
    '{type, select, client {client} device {device} enrollment_token {enrollment-token} user {user} channel {channel} schedule {schedule} policy {policy} rule {rule} maintenance {maintenance} alert {alert} incident {incident} api_token {api-token} other {{raw}}}',
  'audit.details': 'Details',
  'audit.unknown': 'unknown',
  'audit.onlyAdmins': 'Only admins read the audit log',
  'audit.onlyAdminsBody': 'Ask an admin who changed a setting.',
  'audit.title': 'Audit log',
  'audit.subtitle': 'Every change to clients, devices, people, channels and on-call, with who made it. Newest first.',
  'audit.person': 'Person',
  'audit.anyone': 'Anyone',
  'audit.recordType': 'Record type',
  'audit.any': 'Any',
  'audit.recordId': 'Record id',
  'audit.anyPlaceholder': 'any',
  'audit.loading': 'Loading the audit log…',
  'audit.missing': 'Audit log not available on this server',
  'audit.missingBody':
    'This server has no audit log yet (GET /api/audit answered 404). It comes with a server update; nothing is lost meanwhile in the alert and incident timelines.',
  'audit.loadFailed': 'Could not load the audit log: {error}',
  'audit.emptyFiltered': 'Nothing recorded for these filters',
  'audit.empty': 'Nothing recorded yet',
  'audit.loadingMore': 'Loading…',
  'audit.more': 'Load more',
  'audit.everything': 'That is everything{filtered, select, yes { for these filters} other {}}.',
};
