import { afterEach, describe, expect, it } from 'vitest';
import { i18next, loadLanguage } from '../i18n/i18n';
import { describeError } from './errors';
import { NetworkError, ProblemError } from './problem';

afterEach(async () => {
  await i18next.changeLanguage('en');
});

describe('error messages for people', () => {
  it("shows the server's own sentence in English", () => {
    const error = new ProblemError({ status: 410, code: 'invitation.expired', detail: 'This invitation expired on Mon, 01 Jan 2030. Ask the person who invited you to resend it.' });
    expect(describeError(error)).toBe('This invitation expired on Mon, 01 Jan 2030. Ask the person who invited you to resend it.');
  });

  it('translates known problem codes (dotted keys) into German', async () => {
    await loadLanguage('de');
    await i18next.changeLanguage('de');
    const error = new ProblemError({ status: 401, code: 'auth.invalid_credentials', detail: 'The email or password is incorrect.' });
    expect(describeError(error)).toBe('E-Mail-Adresse oder Passwort ist falsch.');
  });

  it('translates contract messages by their English wording, and keeps unknown ones', async () => {
    await loadLanguage('de');
    await i18next.changeLanguage('de');
    expect(describeError(new ProblemError({ status: 400, code: 'x.unknown', detail: 'Enter a valid email address.' }))).toBe('Gib eine gültige E-Mail-Adresse ein.');
    expect(describeError(new ProblemError({ status: 400, code: 'x.unknown', detail: 'Something only the server knows.' }))).toBe('Something only the server knows.');
  });

  it('explains network failures and server errors without leaking internals', () => {
    expect(describeError(new NetworkError())).toMatch(/connection/);
    expect(describeError(new ProblemError({ status: 500, code: 'server.error', detail: 'TypeError: x is undefined', requestId: 'req-1' }))).toMatch(/req-1/);
  });
});
