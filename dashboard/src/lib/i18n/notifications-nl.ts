/** Nederlandse teksten: the notifications page. Termen: zie de woordenlijst in common-nl.ts. */
import type { notificationsEn } from './notifications-en.js';

export const notificationsNl: Record<keyof typeof notificationsEn, string> = {
  'notif.dead': 'Onbestelbaar',
  'notif.queued': 'In de wachtrij',
  'notif.sent': 'Verstuurd',
  'notif.all': 'Alle',
  'notif.title': 'Notificaties',
  'notif.subtitle': 'Berichten aan de mensen van dienst. Een onbestelbaar bericht kon niet worden afgeleverd; de beheerders zijn per e-mail ingelicht.',
  'notif.show': 'Notificaties tonen',
  'notif.loading': 'Laden…',
  'notif.noDead': 'Geen onbestelbare berichten: elk bericht is afgeleverd of wordt nog geprobeerd.',
  'notif.nothing': 'Hier staat niets.',
  'notif.when': 'Wanneer',
  'notif.message': 'Bericht',
  'notif.channel': 'Kanaal → ontvanger',
  'notif.status': 'Status',
  'notif.lastError': 'Laatste fout',
  'notif.actions': 'Acties',
  'notif.purpose': '{purpose, select, page {oproep} update {update} dead_letter {onbestelbaar} digest {overzicht} test {test} other {{raw}}}',
  'notif.state': '{status, select, pending {in de wachtrij} sending {bezig} sent {verstuurd} dead {onbestelbaar} other {{status}}}',
  'notif.attempts': ' · {count, plural, one {# poging} other {# pogingen}}',
  'notif.retry': 'Opnieuw',
};
