'use client';

import { signOut } from 'next-auth/react';
import { useState } from 'react';
import { Button, type ButtonStyle } from './ui/button';

/**
 * Ends the server session first (so the token is dead even if it was copied), then lets next-auth
 * clear its cookies and take the browser to the sign-in page. next-auth/react's signOut needs no
 * SessionProvider.
 */
export function SignOutButton({ label = 'Sign out', variant = 'secondary', size = 'sm', className }: { label?: string; className?: string } & ButtonStyle) {
  const [pending, setPending] = useState(false);

  async function handleClick() {
    setPending(true);
    try {
      await fetch('/api/auth/sign-out', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    } catch {
      // Offline or the server is down: next-auth's own sign-out below also revokes the session
      // (its signOut event) when it gets through, and clears the cookie either way.
    }
    await signOut({ callbackUrl: '/sign-in' });
  }

  return (
    <Button variant={variant} size={size} className={className} onClick={handleClick} disabled={pending} aria-busy={pending || undefined}>
      {label}
    </Button>
  );
}
