import { Badge } from '../ui/badge';
import { accountStatus } from './labels';

export function AccountStatusBadge({ status }: { status: string }) {
  const { label, tone } = accountStatus(status);
  return <Badge tone={tone}>{label}</Badge>;
}
