import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export type ReceivedMail = {
  from: string | null;
  recipients: string[];
  /** The raw RFC 5322 message as the server received it (headers and body). */
  raw: string;
  subject: string | null;
};

export type FakeSmtpServer = {
  /** smtp://127.0.0.1:<port>, for SMTP_URL. */
  url: string;
  /** Every message accepted so far; a delivery is recorded before the server answers 250. */
  received: ReceivedMail[];
  close(): Promise<void>;
};

function decodeSubject(raw: string): string | null {
  const headerBlock = raw.split(/\r?\n\r?\n/, 1)[0] ?? '';
  // Unfold continuation lines before matching the header.
  const unfolded = headerBlock.replace(/\r?\n[ \t]+/g, ' ');
  const match = /^subject:\s*(.*)$/im.exec(unfolded);
  if (!match) return null;
  // Encoded words (RFC 2047) appear for non-ASCII subjects; decode the two encodings nodemailer uses.
  return match[1]!.replace(/=\?([^?]+)\?([bq])\?([^?]*)\?=\s*/gi, (_whole, _charset: string, encoding: string, text: string) =>
    encoding.toLowerCase() === 'b'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9a-f]{2})/gi, (_hex, code: string) => String.fromCharCode(Number.parseInt(code, 16))), 'latin1').toString('utf8'),
  ).trim();
}

/**
 * A real SMTP server on 127.0.0.1 and a random port that accepts every message (no TLS, no auth) and
 * keeps it in memory: the app's nodemailer transport talks the real wire protocol to it. Recipients
 * matched by rejectRecipient get a permanent 550 refusal, as a real server answers an unknown mailbox.
 */
export async function startFakeSmtpServer(options: { rejectRecipient?: (address: string) => boolean } = {}): Promise<FakeSmtpServer> {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    onRcptTo(address, _session, callback) {
      if (options.rejectRecipient?.(address.address)) {
        const refusal = Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 });
        callback(refusal);
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', callback);
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const from = session.envelope.mailFrom;
        received.push({
          from: from ? from.address : null,
          recipients: session.envelope.rcptTo.map((recipient) => recipient.address),
          raw,
          subject: decodeSubject(raw),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
