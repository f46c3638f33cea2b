'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useState } from 'react';
import { cn } from './ui/cn';

const links = [
  { href: '/', label: 'Dashboard', matches: (path: string) => path === '/' || path.startsWith('/accounts/'), needs: null },
  { href: '/transfer', label: 'Transfer', matches: (path: string) => path.startsWith('/transfer'), needs: 'transfer' },
  { href: '/admin/users', label: 'Users', matches: (path: string) => path.startsWith('/admin/users'), needs: 'users' },
  { href: '/admin/credential-log', label: 'Credential log', matches: (path: string) => path.startsWith('/admin/credential-log'), needs: 'credentialLog' },
  { href: '/admin/api-clients', label: 'External systems', matches: (path: string) => path.startsWith('/admin/api-clients'), needs: 'apiClients' },
  { href: '/admin/rules', label: 'Rules', matches: (path: string) => path.startsWith('/admin/rules'), needs: 'rules' },
  { href: '/admin/compliance', label: 'Compliance', matches: (path: string) => path.startsWith('/admin/compliance'), needs: 'compliance' },
  { href: '/admin/corrections', label: 'Corrections', matches: (path: string) => path.startsWith('/admin/corrections'), needs: 'corrections' },
  { href: '/profile', label: 'Profile', matches: (path: string) => path.startsWith('/profile'), needs: null },
  { href: '/security', label: 'Passkeys', matches: (path: string) => path.startsWith('/security'), needs: null },
] as const;

/** Which menu entries the person's grants open; decided on the server by the policy module. */
export interface MenuPermissions {
  readonly transfer: boolean;
  readonly users: boolean;
  readonly apiClients: boolean;
  readonly credentialLog: boolean;
  readonly rules: boolean;
  readonly corrections: boolean;
  readonly compliance: boolean;
}

/**
 * The main menu, by role; the current page is marked with aria-current, not only by its look. On a
 * phone or a tablet (below 1024 px) it folds behind a Menu button; from 1024 px it is a row that wraps.
 */
export function MainNav({ permissions }: { permissions: MenuPermissions }) {
  const pathname = usePathname();
  const [open, setOpen] = useState(false);
  const shown = links.filter((link) => link.needs === null || permissions[link.needs]);
  const current = shown.find((link) => link.matches(pathname));
  return (
    <nav aria-label="Main" className="order-last w-full lg:order-none lg:w-auto lg:flex-1">
      <button
        type="button"
        aria-expanded={open}
        aria-controls="main-menu"
        onClick={() => setOpen((o) => !o)}
        className="flex min-h-11 w-full items-center justify-between rounded-md border border-border px-3 py-2 text-sm font-medium text-ink lg:hidden"
      >
        <span>
          Menu{current ? <span className="text-muted">: {current.label}</span> : null}
        </span>
        <span aria-hidden="true">{open ? '▴' : '▾'}</span>
      </button>
      <ul id="main-menu" className={cn(open ? 'flex' : 'hidden', 'mt-2 flex-col gap-1 lg:mt-0 lg:flex lg:flex-row lg:flex-wrap')}>
        {shown.map((link) => {
          const here = link.matches(pathname);
          return (
            <li key={link.href}>
              <Link
                href={link.href}
                aria-current={here ? 'page' : undefined}
                onClick={() => setOpen(false)}
                className={cn('block rounded-md px-3 py-2 text-sm font-medium whitespace-nowrap no-underline', here ? 'bg-blue-50 text-blue-900' : 'text-ink hover:bg-slate-100 hover:text-ink')}
              >
                {link.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
