'use client';

import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTRPC } from '../../trpc-provider';
import { Button } from '../../ui/button';
import { Field } from '../../ui/field';
import { Input, Select } from '../../ui/input';
import { ROLE_LABELS } from '../labels';
import type { Act } from './user-act';

/** Grants the user a role in a scope (A6R-14): the section or account, and optionally cooperative approaches. */
export function GrantForm({ userId, act }: { userId: string; act: Act }) {
  const trpc = useTRPC();
  const create = useMutation(trpc.grants.create.mutationOptions());
  const [role, setRole] = useState('ACCOUNT_HOLDER');
  // An external system reads one account or every account of one section: both fields, one filled.
  const system = role === 'EXTERNAL_SYSTEM';
  const needsSection = role === 'SECTION_ADMIN';
  const needsAccount = ['ACCOUNT_HOLDER', 'VIEWER'].includes(role);
  const mayLimit = needsSection || needsAccount || system;

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const input = {
      userId,
      role: role as 'REGISTRY_ADMIN' | 'SECTION_ADMIN' | 'ACCOUNT_HOLDER' | 'VIEWER' | 'EXTERNAL_SYSTEM',
      sectionId: needsSection || system ? String(form.get('sectionId') ?? '') : null,
      accountId: needsAccount || system ? String(form.get('accountId') ?? '') : null,
      // Comma- or space-separated; empty: the grant is not limited to any cooperative approach.
      cooperativeApproachIds: mayLimit
        ? String(form.get('cooperativeApproachIds') ?? '')
            .split(/[\s,]+/)
            .filter((id) => id.length > 0)
        : [],
    };
    void act('grant', (idempotencyKey) => create.mutateAsync({ ...input, idempotencyKey }), `Granted: ${ROLE_LABELS[role] ?? role}.`);
  }

  return (
    <form onSubmit={submit} className="space-y-4 rounded-lg border border-border bg-white p-6" aria-labelledby="grant-title">
      <h2 id="grant-title" className="text-lg font-semibold">
        Grant a role
      </h2>
      <Field label="Role">
        {(control) => (
          <Select {...control} name="role" value={role} onChange={(e) => setRole(e.target.value)}>
            {['ACCOUNT_HOLDER', 'VIEWER', 'SECTION_ADMIN', 'REGISTRY_ADMIN', 'EXTERNAL_SYSTEM'].map((r) => (
              <option key={r} value={r}>
                {ROLE_LABELS[r]}
              </option>
            ))}
          </Select>
        )}
      </Field>
      {needsSection ? <Field label="Section (ISO 3166-1 alpha-3)">{(control) => <Input {...control} name="sectionId" required maxLength={3} />}</Field> : null}
      {needsAccount ? <Field label="Account number">{(control) => <Input {...control} name="accountId" required />}</Field> : null}
      {system ? (
        <>
          <Field label="Account number" hint="The one account the system may read; or leave it empty and give a section.">
            {(control) => <Input {...control} name="accountId" />}
          </Field>
          <Field label="Section (ISO 3166-1 alpha-3)" hint="Instead of an account: every account of the section.">
            {(control) => <Input {...control} name="sectionId" maxLength={3} />}
          </Field>
        </>
      ) : null}
      {mayLimit ? (
        <Field label="Only for cooperative approaches (optional)" hint="Approach ids separated by commas, e.g. CA0001. Empty: every approach of the section or account.">
          {(control) => <Input {...control} name="cooperativeApproachIds" maxLength={400} />}
        </Field>
      ) : null}
      <Button type="submit" disabled={create.isPending}>
        Grant
      </Button>
    </form>
  );
}
