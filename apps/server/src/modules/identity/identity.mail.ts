import type { Config } from '../../kernel/config.js';
import type { Tx } from '../../kernel/db/database.js';
import { queueMail } from '../../kernel/mail/mail.js';
import { publicBaseUrl } from '../../kernel/http/public-url.js';
import { escapeHtml } from '../../kernel/mail/html.js';
export { publicBaseUrl } from '../../kernel/http/public-url.js';

/**
 * The identity emails. Platform mail (tenantId null): they concern the person, not a workspace.
 * Links point at web console routes under PUBLIC_URL.
 */
type Recipient = { email: string; name: string };

type MailContent = { subject: string; template: string; intro: string; action?: { label: string; url: string }; outro: string };

async function sendIdentityMail(tx: Tx, to: Recipient, content: MailContent): Promise<void> {
  const greeting = `Hello ${to.name},`;
  const text = [greeting, '', content.intro, ...(content.action ? ['', `${content.action.label}: ${content.action.url}`] : []), '', content.outro, '', '— Omni'].join('\n');
  const html = [
    '<!doctype html><html><body style="font-family:system-ui,sans-serif;line-height:1.5;color:#111">',
    `<p>${escapeHtml(greeting)}</p>`,
    `<p>${escapeHtml(content.intro)}</p>`,
    content.action
      ? `<p><a href="${escapeHtml(content.action.url)}" style="display:inline-block;padding:10px 16px;background:#2563eb;color:#fff;border-radius:6px;text-decoration:none">${escapeHtml(content.action.label)}</a></p>` +
        `<p style="font-size:12px;color:#555">Or paste this link into your browser: ${escapeHtml(content.action.url)}</p>`
      : '',
    `<p>${escapeHtml(content.outro)}</p>`,
    '<p>— Omni</p></body></html>',
  ].join('');
  await queueMail(tx, { tenantId: null, to: to.email, subject: content.subject, text, html, template: content.template });
}

export async function sendVerificationMail(tx: Tx, config: Config, to: Recipient, token: string): Promise<void> {
  await sendIdentityMail(tx, to, {
    subject: 'Confirm your email address',
    template: 'identity.verify-email',
    intro: 'Please confirm that this is your email address. The link is valid for 48 hours.',
    action: { label: 'Confirm my email', url: `${publicBaseUrl(config)}/verify-email?token=${encodeURIComponent(token)}` },
    outro: 'If you did not create an Omni account, you can ignore this message.',
  });
}

export async function sendPasswordResetMail(tx: Tx, config: Config, to: Recipient, token: string): Promise<void> {
  await sendIdentityMail(tx, to, {
    subject: 'Reset your password',
    template: 'identity.password-reset',
    intro: 'Someone (hopefully you) asked to reset the password of your Omni account. The link works once and expires in 1 hour.',
    action: { label: 'Choose a new password', url: `${publicBaseUrl(config)}/reset-password?token=${encodeURIComponent(token)}` },
    outro: 'If you did not ask for this, ignore this message: your password stays unchanged.',
  });
}

export async function sendMagicLinkMail(tx: Tx, config: Config, to: Recipient, token: string): Promise<void> {
  await sendIdentityMail(tx, to, {
    subject: 'Your sign-in link',
    template: 'identity.magic-link',
    intro: 'Use this link to sign in to Omni. It works once and expires in 15 minutes.',
    action: { label: 'Sign in', url: `${publicBaseUrl(config)}/magic-link?token=${encodeURIComponent(token)}` },
    outro: 'If you did not ask to sign in, ignore this message.',
  });
}

export async function sendAccountLockedMail(tx: Tx, config: Config, to: Recipient): Promise<void> {
  await sendIdentityMail(tx, to, {
    subject: 'Your account was locked after failed sign-in attempts',
    template: 'identity.account-locked',
    intro: `We noticed ${config.LOCKOUT_THRESHOLD} failed sign-in attempts in a row on your Omni account, so sign-in is blocked for ${config.LOCKOUT_MINUTES} minutes.`,
    outro: 'If this was you, wait and try again, or reset your password from the sign-in page (that also unlocks the account). If it was not you, reset your password now.',
  });
}
