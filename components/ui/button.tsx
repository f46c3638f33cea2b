import type { ComponentProps } from 'react';
import { cn } from './cn';

const variants = {
  primary: 'bg-primary text-white hover:bg-primary-hover',
  secondary: 'border border-border-strong bg-white text-ink hover:bg-slate-100',
  danger: 'bg-red-700 text-white hover:bg-red-800',
  link: 'text-primary underline underline-offset-4 hover:text-primary-hover',
} as const;

const sizes = {
  md: 'min-h-10 px-4 py-2 text-sm',
  sm: 'min-h-8 px-3 py-1 text-sm',
} as const;

export interface ButtonStyle {
  readonly variant?: keyof typeof variants;
  readonly size?: keyof typeof sizes;
}

/** Button looks for anything clickable, so a link that acts as a button ("Transfer units") matches the real ones. */
export function buttonVariants({ variant = 'primary', size = 'md' }: ButtonStyle = {}): string {
  return cn(
    'inline-flex items-center justify-center gap-2 rounded-md font-medium transition-colors',
    'aria-disabled:cursor-not-allowed aria-disabled:opacity-70 disabled:cursor-not-allowed disabled:opacity-70',
    variant !== 'link' && 'no-underline',
    variants[variant],
    sizes[size],
  );
}

export function Button({ variant, size, className, type = 'button', ...props }: ComponentProps<'button'> & ButtonStyle) {
  return <button type={type} className={cn(buttonVariants({ variant, size }), className)} {...props} />;
}
