/** Nederlandse teksten: the billing page. Termen: zie de woordenlijst in common-nl.ts. */
import type { billingEn } from './billing-en.js';

export const billingNl: Record<keyof typeof billingEn, string> = {
  'billing.empty': 'Geen tijd geboekt voor {client} in {month}',
  'billing.emptyBody': 'Tijd die op een storing is geboekt, telt in de maand waarin het werk is gedaan (de datum), tegen het uurtarief van de klant.',
  'billing.incident': 'Storing',
  'billing.opened': 'Geopend',
  'billing.state': 'Status',
  'billing.time': 'Geboekt',
  'billing.billed': 'Gefactureerd',
  'billing.notes': 'Notities bij de geboekte tijd',
  'billing.rounding':
    'Gefactureerde tijd: {increment, select, none {zoals geboekt} other {elke boeking naar boven afgerond op {increment}}}{minimum, select, none {} other {, minimaal {minimum} per storing}}; het bedrag is gefactureerde tijd × het uurtarief.',
  'billing.amount': 'Bedrag',
  'billing.markBilled': 'Als gefactureerd markeren',
  'billing.total': 'Totaal tegen {rate} per uur',
  'billing.title': 'Facturatie',
  'billing.subtitle': 'Geboekte tijd per klant en maand, tegen het uurtarief van de klant.',
  'billing.noClients': 'Nog geen klanten',
  'billing.noClientsBody': '{link} eerst; de storingen en geboekte tijd verschijnen hier.',
  'billing.addClient': 'Voeg een klant toe',
  'billing.client': 'Klant',
  'billing.clientOption': '{name} ({contract, select, monthly {maandcontract} other {break-fix}})',
  'billing.month': 'Maand',
  'billing.terms': '{client}: {rate} per uur',
  'billing.monthlyFee': ' · maandbedrag {fee} (storingen worden alleen geboekt voor break-fixwerk)',
};
