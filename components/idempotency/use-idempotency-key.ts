'use client';

import { useState } from 'react';
import { RequestKeys } from './request-keys';

/**
 * The idempotency keys of a form, for as long as it is open: a form opened again (mounted anew, or
 * `reset`) starts with new keys. Every form that calls a mutation sends its requests through `send`:
 *
 *   const keys = useIdempotencyKey();
 *   await keys.send((idempotencyKey) => configure.mutateAsync({ ...input, idempotencyKey }));
 */
export function useIdempotencyKey(): RequestKeys {
  const [keys] = useState(() => new RequestKeys());
  return keys;
}
