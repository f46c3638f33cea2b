// The ledger's public surface. Everything that changes state goes through `execute`.
export { execute, RULE_VERSIONS } from './write-path';
export { CHECKS, type Refusal, type CheckName } from './check-codes';
export { humanSerial, humanBlock } from './serial';
export { seriesIdOf } from './operations/issue-units';
export { ed25519Signer, generateSigningKeyPem, verifySignature } from './signer';
export * from './queries';
export type * from './types';
