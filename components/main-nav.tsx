'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { cn } from './ui/cn';

const links = [
  { href: '/', label: 'Dashboard', matches: (path: string) => path === '/' || path.startsWith('/accounts/') },
  { href: '/transfer', label: 'Transfer', matches: (path: string) => path.startsWith('/transfer') },
] as const;

/** The main menu; the current page is marked with aria-current, not only by its look. */
export function MainNav() {
  const pathname = usePathname();
  return (
    <nav aria-label="Main">
      <ul className="flex gap-1">
        {links.map((link) => {
          const current = link.matches(pathname);
          return (
            <li key={link.href}>
              <Link
                href={link.href}
                aria-current={current ? 'page' : undefined}
                className={cn('block rounded-md px-3 py-2 text-sm font-medium no-underline', current ? 'bg-blue-50 text-blue-900' : 'text-ink hover:bg-slate-100 hover:text-ink')}
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
