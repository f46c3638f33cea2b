import { env } from '../env';
import type { EnrollmentMail } from '../access/enrollment';
import { createMailer, type Mailer } from './mailer';

const globalForMail = globalThis as unknown as { registryMailer?: Mailer };

/** The application's mail: the configured transport, and the public URL its links point to. */
export function appMail(): EnrollmentMail {
  const e = env();
  globalForMail.registryMailer ??= createMailer({ smtpUrl: e.SMTP_URL, from: e.MAIL_FROM, captureDir: e.MAIL_CAPTURE_DIR });
  return { mailer: globalForMail.registryMailer, baseUrl: e.NEXTAUTH_URL };
}
