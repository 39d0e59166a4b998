/**
 * Sending a finished .eml through SMTP (nodemailer). The bytes are sent as they are (`raw`):
 * the Message-ID, threading headers and body were fixed when the reply was queued.
 */
import nodemailer, { type Transporter, type TransportOptions } from 'nodemailer';

export class SmtpFailure extends Error {}

const transports = new Map<string, Transporter>();

export async function sendRaw(url: string, from: string, to: string[], eml: Buffer): Promise<void> {
  let t = transports.get(url);
  if (!t) {
    t = nodemailer.createTransport({
      url,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    } as TransportOptions);
    transports.set(url, t);
  }
  try {
    await t.sendMail({ envelope: { from, to }, raw: eml });
  } catch (err) {
    const e = err as { code?: string; responseCode?: number; message?: string };
    const where = redact(url);
    const what = e.responseCode ? `server said ${e.responseCode}` : (e.code ?? 'failed');
    throw new SmtpFailure(`${where}: ${what}: ${(e.message ?? '').split('\n')[0]}`);
  }
}

export function closeTransports(): void {
  for (const t of transports.values()) t.close();
  transports.clear();
}

/** Never print a password from an smtp://user:pass@host URL into a log. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return 'smtp';
  }
}
