import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';

/**
 * Outgoing mail through nodemailer. With SMTP settings it is a real SMTP transport (TLS as the URL
 * says); without them, in the demo and the tests, nodemailer's JSON transport renders each message
 * and the capture writes it as a file into a directory that the tests read. Nothing is sent anywhere
 * else, and no mail is ever dropped silently.
 */
export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

export interface MailSettings {
  /** smtp:// or smtps:// URL with credentials, e.g. smtps://user:password@mail.example.org:465. */
  readonly smtpUrl?: string;
  readonly from: string;
  /** Where captured messages go when there is no SMTP URL. */
  readonly captureDir: string;
}

export function createMailer(settings: MailSettings): Mailer {
  if (settings.smtpUrl) {
    const transport = nodemailer.createTransport(settings.smtpUrl);
    return {
      async send(message) {
        await transport.sendMail({ from: settings.from, to: message.to, subject: message.subject, text: message.text });
      },
    };
  }
  const transport = nodemailer.createTransport({ jsonTransport: true });
  return {
    async send(message) {
      const info = await transport.sendMail({ from: settings.from, to: message.to, subject: message.subject, text: message.text });
      await mkdir(settings.captureDir, { recursive: true });
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${String(info.messageId).replace(/[^A-Za-z0-9]/g, '')}.json`;
      await writeFile(path.join(settings.captureDir, name), String(info.message), { mode: 0o600 });
    },
  };
}

export interface CapturedMail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

/** The captured messages, oldest first (for the tests and the demo's operator). */
export async function readCapturedMail(captureDir: string): Promise<CapturedMail[]> {
  const names = (await readdir(captureDir).catch(() => [] as string[])).filter((n) => n.endsWith('.json')).sort();
  const messages = await Promise.all(names.map(async (n) => JSON.parse(await readFile(path.join(captureDir, n), 'utf8')) as { to: { address: string }[]; subject: string; text: string }));
  return messages.map((m) => ({ to: m.to.map((t) => t.address).join(', '), subject: m.subject, text: m.text }));
}
