import type { ComponentProps } from 'react';
import { cn } from './cn';

const tones = {
  info: 'border-blue-300 bg-blue-50 text-blue-900',
  success: 'border-green-300 bg-green-50 text-green-900',
  error: 'border-red-300 bg-red-50 text-red-900',
} as const;

/**
 * A boxed message. The caller chooses the live-region role: "alert" for a refusal or failure the user
 * must notice now, "status" for news that can wait, none for static text.
 */
export function Alert({ tone = 'info', className, ...props }: ComponentProps<'div'> & { tone?: keyof typeof tones }) {
  return <div className={cn('rounded-md border px-4 py-3 text-sm', tones[tone], className)} {...props} />;
}

export function AlertTitle({ className, ...props }: ComponentProps<'h2'>) {
  return <h2 className={cn('mb-1 text-base font-semibold', className)} {...props} />;
}
