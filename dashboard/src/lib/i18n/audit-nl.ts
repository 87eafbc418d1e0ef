/** Nederlandse teksten: the audit log. Termen: zie de woordenlijst in common-nl.ts. */
import type { auditEn } from './audit-en.js';

export const auditNl: Record<keyof typeof auditEn, string> = {
  'audit.entity':
    '{type, select, client {klant} device {apparaat} enrollment_token {inschrijftoken} user {gebruiker} channel {kanaal} schedule {rooster} policy {beleid} rule {regel} maintenance {onderhoud} alert {melding} incident {storing} api_token {API-token} other {{raw}}}',
  'audit.details': 'Details',
  'audit.unknown': 'onbekend',
  'audit.onlyAdmins': 'Alleen beheerders lezen het auditlog',
  'audit.onlyAdminsBody': 'Vraag een beheerder wie een instelling heeft gewijzigd.',
  'audit.title': 'Auditlog',
  'audit.subtitle': 'Elke wijziging aan klanten, apparaten, mensen, kanalen en dienst, met wie hem maakte. Nieuwste eerst.',
  'audit.person': 'Persoon',
  'audit.anyone': 'Iedereen',
  'audit.recordType': 'Soort gegeven',
  'audit.any': 'Alle',
  'audit.recordId': 'Id',
  'audit.anyPlaceholder': 'alle',
  'audit.loading': 'Auditlog laden…',
  'audit.missing': 'Geen auditlog op deze server',
  'audit.missingBody':
    'Deze server heeft nog geen auditlog (GET /api/audit gaf 404). Het komt met een serverupdate; intussen gaat er in de tijdlijnen van meldingen en storingen niets verloren.',
  'audit.loadFailed': 'Kon het auditlog niet laden: {error}',
  'audit.emptyFiltered': 'Niets vastgelegd voor deze filters',
  'audit.empty': 'Nog niets vastgelegd',
  'audit.loadingMore': 'Laden…',
  'audit.more': 'Meer laden',
  'audit.everything': 'Dat is alles{filtered, select, yes { voor deze filters} other {}}.',
};
