'use client';

import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '../trpc-provider';
import { AuthorizeForm } from './rules/authorize-form';
import { RequestFailure } from './request-failure';
import { Authorizations } from './rules/authorizations';
import { ComplianceLink } from './rules/compliance-link';
import { ConfigureForm } from './rules/configure-form';
import { RuleCatalog } from './rules/rule-catalog';
import { RuleSettings } from './rules/rule-settings';
import { SuspendForm } from './rules/suspend-form';
import { Suspensions } from './rules/suspensions';
import { WaitingTransfers } from './rules/waiting-transfers';

/**
 * Rules administration (docs/rules.md): the catalog of rule versions, where each pluggable rule applies
 * and with which settings, suspensions, transfers that wait, and the compliance report. Every change is
 * a ledger transaction; refusals come back with their codes and reasons.
 */
export function RulesAdmin() {
  const trpc = useTRPC();
  const overview = useQuery(trpc.rules.overview.queryOptions());
  if (overview.isPending) return <p role="status">Loading the rules…</p>;
  if (overview.isError) return <RequestFailure error={overview.error} />;
  const data = overview.data;
  return (
    <div className="space-y-6">
      <RuleCatalog catalog={data.catalog} />
      <RuleSettings data={data} />
      <ConfigureForm catalog={data.catalog} />
      <Suspensions data={data} />
      <SuspendForm catalog={data.catalog} />
      <WaitingTransfers data={data} />
      <Authorizations data={data} />
      <AuthorizeForm />
      <ComplianceLink />
    </div>
  );
}
