/** Links to a client report: a month as before, or a custom period whose last day is included in the UI and `to` excluded in the API. */
import { describe, expect, it } from 'vitest';
import { reportUrl } from '../../dashboard/src/lib/api-reports.js';
import { addDays, daysBetween } from '../../dashboard/src/lib/format.js';
import { customPeriod } from '../../dashboard/src/pages/clients/report-period.js';

describe('reportUrl', () => {
  it('keeps the month link as it was', () => {
    expect(reportUrl('c 1', '2026-11', 'html')).toBe('/api/reports/client-report?client=c%201&month=2026-11&format=html');
    expect(reportUrl('c1', '2026-11', 'pdf', 'nl')).toBe('/api/reports/client-report?client=c1&month=2026-11&format=pdf&lang=nl');
  });

  it('asks for a period with from and to', () => {
    expect(reportUrl('c1', { from: '2026-03-01', to: '2026-04-01' }, 'pdf')).toBe(
      '/api/reports/client-report?client=c1&from=2026-03-01&to=2026-04-01&format=pdf',
    );
  });
});

describe('customPeriod', () => {
  it('turns the last day the user picked (included) into the API’s to (the day after)', () => {
    expect(customPeriod('2026-03-01', '2026-03-31')).toEqual({ period: { from: '2026-03-01', to: '2026-04-01' } });
    expect(customPeriod('2026-12-15', '2026-12-31')).toEqual({ period: { from: '2026-12-15', to: '2027-01-01' } });
    expect(customPeriod('2028-02-01', '2028-02-29')).toEqual({ period: { from: '2028-02-01', to: '2028-03-01' } });
    // One day is a period too.
    expect(customPeriod('2026-05-04', '2026-05-04')).toEqual({ period: { from: '2026-05-04', to: '2026-05-05' } });
  });

  it('refuses a missing day, a last day before the first and more than 366 days', () => {
    expect(customPeriod('', '2026-03-31')).toEqual({ problem: 'missing' });
    expect(customPeriod('2026-03-31', '2026-03-01')).toEqual({ problem: 'order' });
    expect(customPeriod('2026-01-01', '2027-01-01')).toEqual({ period: { from: '2026-01-01', to: '2027-01-02' } });
    expect(customPeriod('2026-01-01', '2027-01-02')).toEqual({ problem: 'tooLong' });
  });
});

describe('calendar day arithmetic', () => {
  it('adds days across month, year and daylight-saving changes', () => {
    expect(addDays('2026-03-28', 2)).toBe('2026-03-30');
    expect(addDays('2026-10-24', 2)).toBe('2026-10-26');
    expect(addDays('2027-01-01', -1)).toBe('2026-12-31');
    expect(daysBetween('2026-01-01', '2027-01-01')).toBe(365);
    expect(daysBetween('2026-03-29', '2026-03-30')).toBe(1);
  });
});
