import type { Metadata } from 'next';
import localFont from 'next/font/local';
import Link from 'next/link';
import { connection } from 'next/server';
import type { ReactNode } from 'react';
import { MainNav } from '@/components/main-nav';
import { SignOutButton } from '@/components/sign-out-button';
import { TrpcReactProvider } from '@/components/trpc-provider';
import { ImpersonationBanner } from '@/components/impersonation-banner';
import { mayUse } from '@/server/auth/actor';
import { getCurrentUser } from '@/server/auth/current-user';
import './globals.css';

// The font ships in node_modules so that builds work offline (next/font/google fetches at build time).
const inter = localFont({
  src: '../node_modules/@fontsource-variable/inter/files/inter-latin-wght-normal.woff2',
  weight: '100 900',
  variable: '--font-inter',
  display: 'swap',
});

export const metadata: Metadata = {
  title: { default: 'Article 6 Registry', template: '%s · Article 6 Registry' },
  description: 'Open registry for Article 6 carbon markets: internationally transferred mitigation outcomes, unit by unit.',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Every page depends on who is signed in: render per request, never at build time (which has
  // neither the database nor the secrets).
  await connection();
  const user = await getCurrentUser();
  return (
    <html lang="en" className={inter.variable}>
      <body className="min-h-screen font-sans antialiased">
        <a href="#main" className="sr-only z-50 rounded-md bg-white px-4 py-2 font-medium focus:not-sr-only focus:absolute focus:top-2 focus:left-2">
          Skip to main content
        </a>
        <header className="border-b border-border bg-white">
          <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-8 gap-y-2 px-4 py-3 sm:px-6">
            <Link href="/" className="text-lg font-semibold text-ink no-underline hover:text-ink">
              Article 6 Registry
            </Link>
            {/* Until the passkey step is done, the session reaches nothing but enrollment: no menu. */}
            {user?.secondFactorVerified ? <MainNav permissions={{ transfer: mayUse(user, 'transfer.submit'), users: mayUse(user, 'user.list'), apiClients: mayUse(user, 'api-client.list'), credentialLog: mayUse(user, 'user.credential-log'), rules: mayUse(user, 'rules.read'), corrections: mayUse(user, 'rules.correct'), compliance: mayUse(user, 'compliance.read') }} /> : null}
            {user ? (
              <div className="ml-auto flex items-center gap-3 text-sm">
                <span>
                  <span className="text-muted">Signed in as </span>
                  <span className="font-medium">{user.name}</span>
                </span>
                <SignOutButton />
              </div>
            ) : null}
          </div>
        </header>
        <TrpcReactProvider>
          {user?.secondFactorVerified && user.actingAs ? <ImpersonationBanner adminName={user.name} userName={user.actingAs.name} endsAt={user.actingAs.endsAt.toISOString()} /> : null}
          <main id="main" tabIndex={-1} className="mx-auto max-w-6xl px-4 py-8 outline-none sm:px-6">
            {children}
          </main>
        </TrpcReactProvider>
      </body>
    </html>
  );
}
