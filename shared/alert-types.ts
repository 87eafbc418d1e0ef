/**
 * Rules, alerts, incidents, maintenance windows and reports: the input schemas the server
 * validates (and the dashboard can reuse for its forms) and the shapes of the REST answers.
 * Times are ms since the Unix epoch; durations are ms; money is in the client's currency.
 */
import { z } from 'zod';
import type { ContractType } from './api-types.js';

/** Every kind of rule the engine evaluates. */
export const RULE_KINDS = ['threshold', 'offline', 'forecast', 'service-down', 'printer-error', 'smart-failing'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

/** How urgent a condition is; `info` conditions are recorded but never page. */
export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Which devices a rule or maintenance window covers. */
export type RuleScope = { type: 'global' } | { type: 'client'; clientId: string } | { type: 'device'; deviceId: string };

const id = z.string().min(1).max(64);

/** Scope of a rule: every device, one client's devices, or one device. */
export const ruleScopeSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('global') }).strict(),
  z.object({ type: z.literal('client'), clientId: id }).strict(),
  z.object({ type: z.literal('device'), deviceId: id }).strict(),
]);

/**
 * Body of POST /api/rules and PATCH /api/rules/:id. Deliberately flat and loose about numbers:
 * the server checks meaning (known metric, durations ≥ 0, clear threshold on the right side…)
 * and answers each mistake with its own error code. An override (`overridesRuleId`) inherits
 * every field it does not set from the rule it overrides.
 */
export const ruleInputSchema = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    kind: z.string().max(40).optional(),
    severity: z.enum(SEVERITIES).optional(),
    scope: ruleScopeSchema.optional(),
    overridesRuleId: id.nullable().optional(),
    isEnabled: z.boolean().optional(),
    metric: z.string().max(100).optional(),
    /** Only samples carrying these label values match, e.g. { mount: '/' }. */
    labels: z.record(z.string().min(1).max(40), z.string().min(1).max(200)).optional(),
    op: z.enum(['above', 'below']).optional(),
    threshold: z.number().finite().optional(),
    clearThreshold: z.number().finite().optional(),
    forMs: z.number().finite().optional(),
    clearForMs: z.number().finite().optional(),
    missedIntervals: z.number().finite().optional(),
    horizonMs: z.number().finite().optional(),
    clearHorizonMs: z.number().finite().optional(),
    windowMs: z.number().finite().optional(),
    minSpanMs: z.number().finite().optional(),
  })
  .strict();
export type RuleInput = z.infer<typeof ruleInputSchema>;

/** Kind-specific parameters of a validated rule. */
export type RuleParams =
  | {
      kind: 'threshold';
      metric: string;
      labels: Record<string, string>;
      op: 'above' | 'below';
      threshold: number;
      /** Value at which an open condition clears; equal to `threshold` means no hysteresis. */
      clearThreshold: number;
      /** How long the value must stay beyond the threshold before the condition opens, ms. */
      forMs: number;
      /** How long the value must stay clear before the condition closes, ms. */
      clearForMs: number;
    }
  | {
      kind: 'offline';
      /** The device is offline after this many report intervals without a report. */
      missedIntervals: number;
    }
  | {
      kind: 'forecast';
      metric: 'fs.usedBytes' | 'fs.usedPct';
      labels: Record<string, string>;
      /** Opens when the trend predicts full within this many ms. */
      horizonMs: number;
      /** Clears when the prediction moves beyond this many ms (≥ horizonMs: hysteresis). */
      clearHorizonMs: number;
      /** How far back the trend looks, ms. */
      windowMs: number;
      /** Least span of data needed before predicting, ms. */
      minSpanMs: number;
      forMs: number;
    }
  | {
      kind: 'service-down' | 'printer-error' | 'smart-failing';
      /** A boolean metric (1/0), e.g. service.isRunning. */
      metric: string;
      labels: Record<string, string>;
      forMs: number;
      clearForMs: number;
    };

/** A rule as the API answers it: identity and scope plus its kind's parameters, flat. */
export type Rule = {
  id: string;
  name: string;
  severity: Severity;
  scope: RuleScope;
  /** The rule this one replaces within its scope, or null for a base rule. */
  overridesRuleId: string | null;
  isEnabled: boolean;
  /** Shipped with the server; can be disabled or overridden but not deleted. */
  isDefault: boolean;
  createdAtMs: number;
  updatedAtMs: number;
  updatedBy: string | null;
} & RuleParams;

/** GET /api/rules/effective?device=: the rule each family resolves to for one device. */
export interface EffectiveRule {
  /** The base rule's id (alerts are keyed by it). */
  familyId: string;
  rule: Rule;
}

/** Alert lifecycle (monthly clients). */
export type AlertState = 'firing' | 'acknowledged' | 'resolved';
/** Incident lifecycle (break-fix clients). */
export type IncidentState = 'open' | 'closed' | 'billed';
/** Why an alert or incident closed. */
export type Closure = 'cleared' | 'manual' | 'rule-removed';

/** One alert in lists. */
export interface Alert {
  id: string;
  ruleId: string;
  ruleName: string;
  ruleKind: RuleKind;
  /** The rule's metric id (threshold and forecast rules), null otherwise or once the rule is gone. */
  metric: string | null;
  severity: Severity;
  deviceId: string;
  hostname: string;
  clientId: string;
  clientName: string;
  labels: Record<string, string>;
  state: AlertState;
  summary: string;
  value: number | null;
  isInMaintenance: boolean;
  isFlapping: boolean;
  /** A firing notification was queued for this alert. */
  isNotified: boolean;
  /** Its routing reached nobody (empty level, nobody on call, no contact point): the fallback was paged. */
  isUnrouted: boolean;
  /** The outage (alert group) it belongs to, and how many alerts that group has (1 = alone). */
  groupId: string | null;
  groupSize: number;
  /** It leads its group (paged, carries the escalation); false for members folded into it. */
  isGroupLeader: boolean;
  /** Held back, not paged: the device it depends on is down (docs/GROUPING.md). */
  isSuppressed: boolean;
  openedAtMs: number;
  acknowledgedAtMs: number | null;
  acknowledgedBy: string | null;
  resolvedAtMs: number | null;
  resolvedBy: string | null;
  resolution: Closure | null;
  assignee: string | null;
}

/** One entry of an alert's or incident's audit trail. */
export interface AuditEvent {
  atMs: number;
  /** Username, or "system" for the engine. */
  actor: string;
  action: string;
  detail: string | null;
}

/** GET /api/alerts/:id */
export interface AlertDetail extends Alert {
  events: AuditEvent[];
}

/** Billable work on an incident. */
export interface TimeEntry {
  id: string;
  incidentId: string;
  technician: string;
  minutes: number;
  note: string | null;
  /** Local calendar day of the work, YYYY-MM-DD. */
  date: string;
  createdAtMs: number;
}

/** One incident in lists. */
export interface Incident {
  id: string;
  source: 'rule' | 'manual';
  ruleId: string | null;
  ruleName: string | null;
  ruleKind: RuleKind | null;
  severity: Severity;
  deviceId: string | null;
  hostname: string | null;
  clientId: string;
  clientName: string;
  labels: Record<string, string>;
  title: string;
  state: IncidentState;
  value: number | null;
  isInMaintenance: boolean;
  isFlapping: boolean;
  openedAtMs: number;
  closedAtMs: number | null;
  closure: Closure | null;
  billedAtMs: number | null;
  /** Minutes booked on this incident so far. */
  bookedMinutes: number;
}

/** GET /api/incidents/:id */
export interface IncidentDetail extends Incident {
  /** The device's latest values (series key → value) when the incident opened. */
  snapshot: Record<string, number>;
  timeEntries: TimeEntry[];
  events: AuditEvent[];
}

/** Day names for recurring maintenance windows. */
export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const localTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be a local time HH:MM (00:00–24:00)');

/** Body of POST /api/maintenance: a one-off window or a weekly recurring one. */
export const maintenanceInputSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('one-off'),
      name: z.string().trim().min(1).max(200),
      scope: z.discriminatedUnion('type', [
        z.object({ type: z.literal('client'), clientId: id }).strict(),
        z.object({ type: z.literal('device'), deviceId: id }).strict(),
      ]),
      startsAtMs: z.number().int().min(0),
      endsAtMs: z.number().int().min(0),
    })
    .strict(),
  z
    .object({
      kind: z.literal('recurring'),
      name: z.string().trim().min(1).max(200),
      scope: z.discriminatedUnion('type', [
        z.object({ type: z.literal('client'), clientId: id }).strict(),
        z.object({ type: z.literal('device'), deviceId: id }).strict(),
      ]),
      daysOfWeek: z.array(z.enum(WEEKDAYS)).min(1).max(7),
      /** Local start time in the client's time zone, HH:MM. */
      startTime: localTime,
      /** Local end time, HH:MM; at or before startTime the window ends the next day (22:00–04:00). */
      endTime: localTime,
    })
    .strict(),
]);
export type MaintenanceInput = z.infer<typeof maintenanceInputSchema>;

/** A maintenance window as the API answers it. */
export type MaintenanceWindow = MaintenanceInput & {
  id: string;
  /** The client's time zone, in which recurring times are read. */
  timezone: string;
  isActiveNow: boolean;
  createdAtMs: number;
  createdBy: string | null;
};

/** GET /api/reports/billing?client=&month= */
export interface BillingReport {
  clientId: string;
  clientName: string;
  contract: ContractType;
  /** YYYY-MM */
  month: string;
  currency: string;
  hourlyRate: number;
  incidents: {
    incidentId: string;
    title: string;
    state: IncidentState;
    openedAtMs: number;
    /** Minutes as booked. */
    minutes: number;
    /** Minutes billed after the client's rounding and minimum charge. */
    billedMinutes: number;
    /** Billed hours. */
    hours: number;
    amount: number;
    /** The notes of its time entries, in booking order. */
    notes: string[];
  }[];
  /** The client's rounding: each entry up to `incrementMin`, each incident at least `minimumMin`. */
  rounding: { incrementMin: number; minimumMin: number };
  totalMinutes: number;
  totalBilledMinutes: number;
  totalHours: number;
  totalAmount: number;
}

/** A condition a monthly contract raised (or would have raised) as a proactive alert. */
export interface ProactiveAlert {
  source: 'alert' | 'incident';
  id: string;
  ruleName: string;
  ruleKind: RuleKind;
  severity: Severity;
  deviceId: string | null;
  hostname: string | null;
  summary: string;
  openedAtMs: number;
  closedAtMs: number | null;
  /** Later incidents on the same device this early warning preceded (forecasts only). */
  precededIncidentIds: string[];
}

/** The contract model the advisor recommends. */
/** 'insufficient-data': fewer than 30 days with devices reporting — the advisor gives no verdict. */
export type Recommendation = ContractType | 'undecided' | 'insufficient-data';

/** GET /api/reports/contract-advice?client=&from=&to= */
export interface ContractAdvice {
  clientId: string;
  clientName: string;
  contract: ContractType;
  currency: string;
  /** Inclusive local dates, YYYY-MM-DD. */
  from: string;
  to: string;
  /** Calendar months in the period (partial months count pro rata). */
  months: number;
  monthly: { fee: number; amount: number };
  breakFix: {
    hourlyRate: number;
    /** Minutes booked on incidents (and alerts) in the period. */
    bookedMinutes: number;
    /** The booked minutes as billed, after the client's rounding (increment, minimum per incident). */
    billedMinutes: number;
    /** Minutes assumed for conditions without booked time (monthly clients book none). */
    estimatedMinutes: number;
    amount: number;
    /** When part of the effort is estimated: the amount with half and with twice the estimate. */
    range: { low: number; high: number } | null;
  };
  /** Days of the period in which the client had devices reporting (the advisor needs 30). */
  observedDays: number;
  /** What the client paid (current contract) and what the other model would have cost. */
  paid: number;
  alternative: number;
  incidents: { count: number; bySeverity: Record<Severity, number> };
  downtime: { events: number; minutes: number };
  proactiveAlerts: ProactiveAlert[];
  forecastsPrecedingIncidents: number;
  recommendation: Recommendation;
  reasons: string[];
  assumptions: string[];
}

/** A notification job in the outbox (delivered by the on-call module). */
export type OutboxKind = 'alert.firing' | 'alert.acknowledged' | 'alert.resolved';

/** One month of GET /api/reports/contract-history: what each contract model cost (or would have). */
export interface ContractHistoryMonth {
  /** YYYY-MM */
  month: string;
  /** Inclusive local dates covered (the current month ends today). */
  from: string;
  to: string;
  monthlyAmount: number;
  breakFixAmount: number;
  bookedMinutes: number;
  estimatedMinutes: number;
  /** Alerts and incidents that opened in the month (forecasts excluded). */
  problems: number;
}

/** GET /api/reports/contract-history?client=&months=: both models month by month, plus the advice for the whole period. */
export interface ContractHistory {
  clientId: string;
  clientName: string;
  contract: ContractType;
  currency: string;
  months: ContractHistoryMonth[];
  /** The advisor over the whole period the months cover. */
  advice: ContractAdvice;
}

/** An alert group (one outage) as the grouping policy sees it (docs/GROUPING.md). */
export interface AlertGroupFacts {
  id: string;
  clientId: string;
  ruleId: string;
  state: 'firing' | 'acknowledged' | 'resolved';
  /** The alert that paged and carries the group's escalation. */
  leaderAlertId: string;
  lastJoinedAtMs: number;
  /** Every member, leader included; open = firing or acknowledged. */
  members: readonly { alertId: string; deviceId: string; isOpen: boolean }[];
}
