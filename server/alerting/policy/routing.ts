/**
 * Contract-aware routing, pure. The client's contract at the moment a condition opens decides
 * what it becomes; whether anyone is paged depends on the contract, the severity and maintenance.
 * Follow-up notifications (acknowledged, resolved) go out only when the firing one did, so a
 * condition that opened inside a maintenance window never sends "resolved" when it clears.
 *
 *   routeOpened
 *   contract   severity        in maintenance   → target     notify
 *   ────────── ─────────────── ──────────────── ──────────── ──────
 *   monthly    warning|critical no              → alert      yes
 *   monthly    warning|critical yes             → alert      no    (recorded, marked in maintenance)
 *   monthly    info            any              → alert      no
 *   break-fix  any             any              → incident   no    (incidents never page)
 *
 *   routeFollowUp (acknowledged | resolved)
 *   target     firing was notified              → notify
 *   alert      yes                              → yes
 *   alert      no                               → no
 *   incident   –                                → no
 *
 *   shouldPageAfterMaintenance (an alert that opened in maintenance and was not paged)
 *   still firing, out of maintenance now and MAINTENANCE_GRACE_MS ago → page now; otherwise wait
 */
import type { ContractType } from '../../../shared/api-types.js';
import type { AlertState, Severity } from '../../../shared/alert-types.js';

/** What an opened condition becomes. */
export type RouteTarget = 'alert' | 'incident';

/** How an opened condition is routed. */
export interface OpenRoute {
  target: RouteTarget;
  shouldNotify: boolean;
  isInMaintenance: boolean;
}

/**
 * How long a device must have been out of maintenance before an alert that opened inside the
 * window pages: systems still settling after the window (reboots, updates) clear on their own.
 */
export const MAINTENANCE_GRACE_MS = 5 * 60_000;

/** Routes a condition that just opened. */
export function routeOpened(input: { contract: ContractType; severity: Severity; isInMaintenance: boolean }): OpenRoute {
  const target: RouteTarget = input.contract === 'monthly' ? 'alert' : 'incident';
  const shouldNotify = target === 'alert' && input.severity !== 'info' && !input.isInMaintenance;
  return { target, shouldNotify, isInMaintenance: input.isInMaintenance };
}

/** Whether an acknowledged/resolved change of an alert or incident queues a notification. */
export function routeFollowUp(input: { target: RouteTarget; wasNotified: boolean }): boolean {
  return input.target === 'alert' && input.wasNotified;
}

/** Whether an alert held back by maintenance should page now that the window is over. */
export function shouldPageAfterMaintenance(input: {
  state: AlertState;
  severity: Severity;
  wasNotified: boolean;
  isInMaintenanceNow: boolean;
  wasInMaintenanceGraceAgo: boolean;
}): boolean {
  return input.state === 'firing' && input.severity !== 'info' && !input.wasNotified && !input.isInMaintenanceNow && !input.wasInMaintenanceGraceAgo;
}
