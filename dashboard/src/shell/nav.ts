/**
 * The navigation: one entry per page, in order. A page for a new module is one more entry here
 * plus its pattern in router.ts; `isVisible`
 * hides entries a role cannot use, `badge` shows a live count next to the label.
 */
import type { Permissions } from '../lib/app-context.js';
import type { Route } from '../lib/router.js';
import type { DashKey } from '../lib/i18n/index.js';

export interface NavItem {
  id: string;
  /** The label's key in lib/i18n (nav.<id>). */
  label: DashKey;
  href: string;
  /** SVG path data of the 24×24 icon (stroked). */
  icon: string;
  isActive: (route: Route) => boolean;
  isVisible?: (p: Permissions) => boolean;
  badge?: 'firingAlerts' | 'openIncidents';
}

const on =
  (...names: Route['name'][]) =>
  (route: Route) =>
    names.includes(route.name);

export const NAV_ITEMS: readonly NavItem[] = [
  { id: 'fleet', label: 'nav.fleet', href: '#/', icon: 'M4 5h16v10H4zM9 19h6M12 15v4', isActive: on('fleet', 'device') },
  {
    id: 'alerts',
    label: 'nav.alerts',
    href: '#/alerts',
    icon: 'M6 16V11a6 6 0 0 1 12 0v5l1.5 2h-15zM10 20h4',
    isActive: on('alerts', 'alert'),
    badge: 'firingAlerts',
  },
  {
    id: 'incidents',
    label: 'nav.incidents',
    href: '#/incidents',
    icon: 'M5 4h10l4 4v12H5zM9 12h6M9 16h4',
    isActive: on('incidents', 'incident'),
    badge: 'openIncidents',
  },
  { id: 'billing', label: 'nav.billing', href: '#/billing', icon: 'M4 7h16v11H4zM4 11h16M8 15h3', isActive: on('billing') },
  { id: 'clients', label: 'nav.clients', href: '#/clients', icon: 'M4 20v-9l8-6 8 6v9zM10 20v-5h4v5', isActive: on('clients', 'client') },
  { id: 'rules', label: 'nav.rules', href: '#/rules', icon: 'M4 7h10M18 7h2M4 17h4M12 17h8M14 4v6M8 14v6', isActive: on('rules') },
  { id: 'maintenance', label: 'nav.maintenance', href: '#/maintenance', icon: 'M4 6h16v14H4zM4 10h16M9 3v5M15 3v5', isActive: on('maintenance') },
  { id: 'oncall', label: 'nav.oncall', href: '#/oncall', icon: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM12 7v5l3 2', isActive: on('oncall') },
  { id: 'channels', label: 'nav.channels', href: '#/channels', icon: 'M4 12h3l3-7 4 14 3-7h3', isActive: on('channels') },
  { id: 'notifications', label: 'nav.notifications', href: '#/notifications', icon: 'M4 6h16v12H4zM4 7l8 6 8-6', isActive: on('notifications') },
  {
    id: 'users',
    label: 'nav.users',
    href: '#/users',
    icon: 'M9 11a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7zM3 20a6 6 0 0 1 12 0M16 4.5a3.5 3.5 0 0 1 0 6.5M18 14a6 6 0 0 1 3 6',
    isActive: on('users'),
    isVisible: (p) => p.isAdmin,
  },
  { id: 'audit', label: 'nav.audit', href: '#/audit', icon: 'M6 3h9l3 3v15H6zM9 9h6M9 13h6M9 17h3', isActive: on('audit'), isVisible: (p) => p.isAdmin },
  { id: 'account', label: 'nav.account', href: '#/account', icon: 'M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM4 21a8 8 0 0 1 16 0', isActive: on('account') },
];
