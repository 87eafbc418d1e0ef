/** Words of the report archive on the client page. */
import type { ArchivedReport } from '../../lib/api-reports.js';
import { activeT } from '../../lib/i18n/index.js';

/**
 * The archive's detail in the dashboard's language. The server stores it as English text; the
 * two fixed ones are recognised ("queued for a@b, c@d", "no report contacts"), a failure's reason
 * stays as the server wrote it.
 */
export function archiveDetail(a: Pick<ArchivedReport, 'delivery' | 'detail'>): string {
  const t = activeT();
  if (!a.detail) return '';
  const queued = /^queued for (.+)$/.exec(a.detail);
  if (a.delivery === 'sent' && queued) return t('report.queuedFor', { contacts: queued[1]! });
  if (a.delivery === 'no-contacts' && a.detail === 'no report contacts') return t('report.noContactsDetail');
  return a.detail;
}
