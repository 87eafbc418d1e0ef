/** The server's error codes in the dashboard's language, and the report archive's detail. */
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, describeError } from '../../dashboard/src/lib/api-request.js';
import { setActiveLocale } from '../../dashboard/src/lib/i18n/index.js';
import { archiveDetail } from '../../dashboard/src/pages/clients/report-archive.js';

describe('describeError', () => {
  afterEach(() => setActiveLocale('en'));

  it('keeps the server’s words in English', () => {
    setActiveLocale('en');
    expect(describeError(new ApiError(404, 'ALERT_NOT_FOUND', 'no alert with id a1'))).toBe('no alert with id a1');
  });

  it('shows a known code’s text in Dutch, and says what input was wrong', () => {
    setActiveLocale('nl');
    expect(describeError(new ApiError(404, 'ALERT_NOT_FOUND', 'no alert with id a1'))).toBe('Deze melding bestaat niet meer.');
    expect(describeError(new ApiError(401, 'INVALID_CREDENTIALS', 'unknown user or wrong password'))).toBe('Onbekende gebruiker of verkeerd wachtwoord.');
    expect(describeError(new ApiError(403, 'FORBIDDEN', 'this action needs role admin'))).toBe('Je rol mag dit niet.');
    expect(describeError(new ApiError(400, 'VALIDATION_FAILED', 'body.minutes: Too small'))).toBe('De invoer klopt niet: body.minutes: Too small');
    // An unknown code keeps the server's message rather than a blank.
    expect(describeError(new ApiError(409, 'SOMETHING_NEW', 'it clashed'))).toBe('it clashed');
  });
});

describe('archiveDetail', () => {
  afterEach(() => setActiveLocale('en'));

  it('words the stored English detail in Dutch, and keeps a failure’s reason', () => {
    setActiveLocale('nl');
    expect(archiveDetail({ delivery: 'sent', detail: 'queued for a@example.nl, b@example.nl' })).toBe('in de wachtrij voor a@example.nl, b@example.nl');
    expect(archiveDetail({ delivery: 'no-contacts', detail: 'no report contacts' })).toBe('geen rapportcontacten');
    expect(archiveDetail({ delivery: 'failed', detail: 'no enabled e-mail channel' })).toBe('no enabled e-mail channel');
    setActiveLocale('en');
    expect(archiveDetail({ delivery: 'sent', detail: 'queued for a@example.nl' })).toBe('queued for a@example.nl');
  });
});
