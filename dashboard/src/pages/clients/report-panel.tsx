/**
 * The client's monthly report on its page: preview any month or any period of days (HTML in a
 * new tab, or the PDF),
 * send it now to the report contacts, change the report settings (language, contacts, rounding,
 * minimum charge, internal cost rate), and the archive of reports made for sending with their
 * outcome and PDF.
 */
import { useState } from 'preact/hooks';
import type { ClientInfo } from '../../../../shared/api-types.js';
import { describeError } from '../../lib/api.js';
import { MAX_REPORT_DAYS, reportUrl, type ReportPeriod, type ReportSettings } from '../../lib/api-reports.js';
import { customPeriod } from './report-period.js';
import { useApp, usePermissions } from '../../lib/app-context.js';
import { addDays, formatMonth, thisMonthIso, todayIso } from '../../lib/format.js';
import { useLoad } from '../../lib/hooks.js';
import { useT } from '../../lib/i18n/index.js';
import { archiveDetail } from './report-archive.js';
import { FormActions } from '../../ui/form-actions.js';
import { ErrorNote, Field, LoadState, Time } from '../../ui/ui.js';

/** The month before `month` (YYYY-MM): the report that goes out on the first working day. */
export function previousMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

/** E-mail addresses as typed: separated by commas, semicolons, spaces or new lines. */
export function splitContacts(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function SettingsForm({ client, settings, onSaved }: { client: ClientInfo; settings: ReportSettings; onSaved: (s: ReportSettings) => void }) {
  const { api } = useApp();
  const t = useT();
  const [draft, setDraft] = useState({ ...settings, contactsText: settings.reportContacts.join(', ') });
  const [state, setState] = useState<{ isBusy: boolean; error: string; isSaved: boolean }>({ isBusy: false, error: '', isSaved: false });
  const submit = async (e: Event) => {
    e.preventDefault();
    setState({ isBusy: true, error: '', isSaved: false });
    try {
      const saved = await api.putReportSettings(client.id, {
        language: draft.language,
        reportContacts: splitContacts(draft.contactsText),
        roundingIncrementMin: Number(draft.roundingIncrementMin),
        minimumChargeMin: Number(draft.minimumChargeMin),
        internalCostRate: Number(draft.internalCostRate),
      });
      onSaved(saved);
      setState({ isBusy: false, error: '', isSaved: true });
    } catch (err) {
      setState({ isBusy: false, error: describeError(err), isSaved: false });
    }
  };
  return (
    <form class="panel" onSubmit={submit} data-testid="report-settings">
      <h3>{t('report.settings')}</h3>
      <div class="form-grid">
        <Field label={t('report.language')}>
          <select
            value={draft.language}
            onChange={(e) => setDraft({ ...draft, language: (e.target as HTMLSelectElement).value as ReportSettings['language'] })}
          >
            <option value="nl">Nederlands</option>
            <option value="en">English</option>
          </select>
        </Field>
        <Field label={t('report.contacts')} hint={t('report.contactsHint')} wide>
          <input
            value={draft.contactsText}
            onInput={(e) => setDraft({ ...draft, contactsText: (e.target as HTMLInputElement).value })}
            placeholder="directie@bakkerijdevries.nl"
            data-testid="report-contacts"
          />
        </Field>
        <Field label={t('report.rounding')}>
          <input
            type="number"
            min={1}
            max={240}
            value={draft.roundingIncrementMin}
            onInput={(e) => setDraft({ ...draft, roundingIncrementMin: Number((e.target as HTMLInputElement).value) })}
          />
        </Field>
        <Field label={t('report.minimum')}>
          <input
            type="number"
            min={0}
            max={480}
            value={draft.minimumChargeMin}
            onInput={(e) => setDraft({ ...draft, minimumChargeMin: Number((e.target as HTMLInputElement).value) })}
          />
        </Field>
        <Field label={t('report.costRate', { currency: client.currency })} hint={t('report.costRateHint')}>
          <input
            type="number"
            min={0}
            step="0.01"
            value={draft.internalCostRate}
            onInput={(e) => setDraft({ ...draft, internalCostRate: Number((e.target as HTMLInputElement).value) })}
            data-testid="report-cost-rate"
          />
        </Field>
      </div>
      {state.error && <ErrorNote message={state.error} />}
      {state.isSaved && (
        <p class="notice" role="status" data-testid="report-saved">
          {t('report.saved')}
        </p>
      )}
      <FormActions submitLabel={t('report.save')} isDisabled={state.isBusy} testId="report-save" />
    </form>
  );
}

export function ReportPanel({ client }: { client: ClientInfo }) {
  const { api } = useApp();
  const t = useT();
  const { canAct } = usePermissions();
  const [month, setMonth] = useState(previousMonth(thisMonthIso()));
  const [isCustom, setIsCustom] = useState(false);
  const [first, setFirst] = useState(`${previousMonth(thisMonthIso())}-01`);
  const [last, setLast] = useState(() => addDays(`${thisMonthIso()}-01`, -1));
  const custom = isCustom ? customPeriod(first, last) : null;
  const period: ReportPeriod | null = !custom ? month : 'period' in custom ? custom.period : null;
  const settings = useLoad(() => api.getReportSettings(client.id), [api, client.id]);
  const archive = useLoad(() => api.listReportArchive(client.id), [api, client.id]);
  const [send, setSend] = useState<{ isBusy: boolean; message: string; error: string }>({ isBusy: false, message: '', error: '' });
  const sendNow = async () => {
    setSend({ isBusy: true, message: '', error: '' });
    try {
      const r = await api.sendReport(client.id, month);
      const contacts = settings.data?.reportContacts.length ?? 0;
      setSend({ isBusy: false, message: r.delivery === 'sent' ? t('report.sent', { count: contacts }) : t('report.noContactsSent'), error: '' });
      archive.reload();
    } catch (err) {
      setSend({ isBusy: false, message: '', error: describeError(err) });
      archive.reload();
    }
  };
  return (
    <div data-testid="report-panel">
      <p class="muted section-lead">{t('report.lead', { client: client.name })}</p>
      <div class="panel report-actions">
        <div class="segmented" role="group" aria-label={t('report.periodKind')}>
          <button type="button" aria-pressed={!isCustom} onClick={() => setIsCustom(false)} data-testid="report-kind-month">
            {t('report.periodMonth')}
          </button>
          <button type="button" aria-pressed={isCustom} onClick={() => setIsCustom(true)} data-testid="report-kind-custom">
            {t('report.periodCustom')}
          </button>
        </div>
        {isCustom ? (
          <>
            <Field label={t('report.from')}>
              <input type="date" value={first} max={todayIso()} onInput={(e) => setFirst((e.target as HTMLInputElement).value)} data-testid="report-from" />
            </Field>
            <Field label={t('report.toIncluded')}>
              <input type="date" value={last} max={todayIso()} onInput={(e) => setLast((e.target as HTMLInputElement).value)} data-testid="report-to" />
            </Field>
          </>
        ) : (
          <Field label={t('report.month')}>
            <input
              type="month"
              value={month}
              max={thisMonthIso()}
              onInput={(e) => setMonth((e.target as HTMLInputElement).value || month)}
              data-testid="report-month"
            />
          </Field>
        )}
        <div class="button-row">
          {period ? (
            <>
              <a class="btn" href={reportUrl(client.id, period, 'html')} target="_blank" rel="noopener" data-testid="report-preview">
                {t('report.preview')}
              </a>
              <a class="btn" href={reportUrl(client.id, period, 'pdf')} target="_blank" rel="noopener" data-testid="report-pdf">
                {t('report.pdf')}
              </a>
            </>
          ) : (
            <>
              <button type="button" class="btn" disabled data-testid="report-preview">
                {t('report.preview')}
              </button>
              <button type="button" class="btn" disabled data-testid="report-pdf">
                {t('report.pdf')}
              </button>
            </>
          )}
          {canAct && !isCustom && (
            <button type="button" class="btn btn-primary" disabled={send.isBusy} onClick={sendNow} data-testid="report-send">
              {send.isBusy ? t('report.sending') : t('report.send')}
            </button>
          )}
        </div>
        {custom && 'problem' in custom && (
          <p class="muted" data-testid="report-period-problem">
            {t(`report.period.${custom.problem}`, { max: MAX_REPORT_DAYS })}
          </p>
        )}
        {isCustom && <p class="muted">{t('report.customNote')}</p>}
        {send.message && (
          <p class="notice" role="status" data-testid="report-send-result">
            {send.message}
          </p>
        )}
        {send.error && <ErrorNote message={send.error} testId="report-send-error" />}
        {settings.data && settings.data.reportContacts.length === 0 && <p class="muted">{t('report.noContacts')}</p>}
      </div>
      {settings.data ? (
        canAct && <SettingsForm key={client.id} client={client} settings={settings.data} onSaved={settings.setData} />
      ) : (
        <LoadState status={settings.status} error={settings.error} onRetry={settings.reload} what={t('report.settings')} />
      )}
      <h3>{t('report.archive')}</h3>
      {!archive.data ? (
        <LoadState status={archive.status} error={archive.error} onRetry={archive.reload} what={t('report.archive')} />
      ) : archive.data.length === 0 ? (
        <p class="muted">{t('report.archiveEmpty')}</p>
      ) : (
        <div class="table-wrap">
          <table class="table" data-testid="report-archive">
            <thead>
              <tr>
                <th>{t('report.archiveMonth')}</th>
                <th>{t('report.archiveMade')}</th>
                <th>{t('report.archiveResult')}</th>
                <th>{t('report.archiveSize')}</th>
              </tr>
            </thead>
            <tbody>
              {archive.data.map((a) => (
                <tr key={a.id} data-testid="archive-row" data-delivery={a.delivery}>
                  <td>{formatMonth(a.month)}</td>
                  <td>
                    <Time ms={a.createdAtMs} />
                  </td>
                  <td>
                    {t(`report.delivery.${a.delivery}`)}
                    {a.detail && <span class="muted"> · {archiveDetail(a)}</span>}
                  </td>
                  <td>
                    <a href={`/api/reports/client-report/archive/${encodeURIComponent(a.id)}`} target="_blank" rel="noopener">
                      {Math.round(a.pdfBytes / 1024)} KiB
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
