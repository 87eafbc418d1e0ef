/**
 * Every catalogue of the dashboard, merged: one file pair per area (<area>-en.ts, <area>-nl.ts)
 * so that pages change their own texts without touching anyone else's. The English files are the
 * reference; each Dutch file is typed to have exactly the keys of its English one.
 */
import type { Locale } from '../../../../shared/i18n/index.js';
import { commonEn } from './common-en.js';
import { commonNl } from './common-nl.js';
import { setupEn } from './setup-en.js';
import { setupNl } from './setup-nl.js';
import { auditEn } from './audit-en.js';
import { auditNl } from './audit-nl.js';
import { usersEn } from './users-en.js';
import { usersNl } from './users-nl.js';
import { notificationsEn } from './notifications-en.js';
import { notificationsNl } from './notifications-nl.js';
import { channelsEn } from './channels-en.js';
import { channelsNl } from './channels-nl.js';
import { oncallEn } from './oncall-en.js';
import { oncallNl } from './oncall-nl.js';
import { maintenanceEn } from './maintenance-en.js';
import { maintenanceNl } from './maintenance-nl.js';
import { rulesEn } from './rules-en.js';
import { rulesNl } from './rules-nl.js';
import { billingEn } from './billing-en.js';
import { billingNl } from './billing-nl.js';
import { clientsEn } from './clients-en.js';
import { clientsNl } from './clients-nl.js';
import { incidentsEn } from './incidents-en.js';
import { incidentsNl } from './incidents-nl.js';
import { alertsEn } from './alerts-en.js';
import { alertsNl } from './alerts-nl.js';
import { metricEn } from './metric-en.js';
import { metricNl } from './metric-nl.js';
import { deviceEn } from './device-en.js';
import { deviceNl } from './device-nl.js';
import { fleetEn } from './fleet-en.js';
import { fleetNl } from './fleet-nl.js';
import { loginEn } from './login-en.js';
import { loginNl } from './login-nl.js';
import { accountEn } from './account-en.js';
import { accountNl } from './account-nl.js';

const en = {
  ...commonEn,
  ...setupEn,
  ...auditEn,
  ...usersEn,
  ...notificationsEn,
  ...channelsEn,
  ...oncallEn,
  ...maintenanceEn,
  ...rulesEn,
  ...billingEn,
  ...clientsEn,
  ...incidentsEn,
  ...alertsEn,
  ...metricEn,
  ...deviceEn,
  ...fleetEn,
  ...loginEn,
  ...accountEn,
};

export type DashKey = keyof typeof en;

const nl: Record<DashKey, string> = {
  ...commonNl,
  ...setupNl,
  ...auditNl,
  ...usersNl,
  ...notificationsNl,
  ...channelsNl,
  ...oncallNl,
  ...maintenanceNl,
  ...rulesNl,
  ...billingNl,
  ...clientsNl,
  ...incidentsNl,
  ...alertsNl,
  ...metricNl,
  ...deviceNl,
  ...fleetNl,
  ...loginNl,
  ...accountNl,
};

export const CATALOGUES: Record<Locale, Record<DashKey, string>> = { en, nl };
