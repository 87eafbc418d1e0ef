/**
 * "Who is on call now", for the alerts page. The schedules belong to the on-call module
 * (/api/oncall/*); until that module is installed the probe answers 404 and this renders
 * nothing. The answer is read defensively: any `username` (or `name`) found at the top level
 * or in a list is shown.
 */
import { useApp } from '../app-context.js';
import { useLoad } from '../hooks.js';

/** Names in an on-call answer of unknown shape. */
export function onCallNames(answer: unknown): string[] {
  const names: string[] = [];
  const visit = (v: unknown, depth: number) => {
    if (depth > 3 || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      for (const x of v) visit(x, depth + 1);
      return;
    }
    const o = v as Record<string, unknown>;
    const name = typeof o.username === 'string' ? o.username : typeof o.name === 'string' && depth > 0 ? o.name : undefined;
    if (name) names.push(name);
    for (const [k, x] of Object.entries(o)) if (typeof x === 'object' && k !== 'schedule') visit(x, depth + 1);
  };
  visit(answer, 0);
  return [...new Set(names)];
}

export function OnCallNow() {
  const { api } = useApp();
  const onCall = useLoad((signal) => api.get<unknown>('/api/oncall/now', signal), [api]);
  if (onCall.status !== 'ready') return null;
  const names = onCallNames(onCall.data);
  return (
    <p class="on-call" data-testid="on-call-now">
      <span class="muted">On call now:</span> {names.length > 0 ? names.join(', ') : 'nobody scheduled'}
    </p>
  );
}
