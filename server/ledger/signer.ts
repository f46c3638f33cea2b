import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, createHash, type KeyObject } from 'node:crypto';
import type { LogSigner } from './types';

/** An Ed25519 signer from a PKCS#8 PEM private key; the key id is a digest of the public key. */
export function ed25519Signer(privateKeyPem: string): LogSigner & { publicKeyPem: string } {
  const privateKey = createPrivateKey(privateKeyPem);
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('The log signing key must be an Ed25519 key');
  const publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  return {
    keyId: keyIdOf(publicKeyPem),
    publicKeyPem,
    sign: (data) => sign(null, Buffer.from(data, 'utf8'), privateKey).toString('base64'),
  };
}

export function verifySignature(publicKeyPem: string, data: string, signatureBase64: string): boolean {
  const key: KeyObject = createPublicKey(publicKeyPem);
  return verify(null, Buffer.from(data, 'utf8'), key, Buffer.from(signatureBase64, 'base64'));
}

export function keyIdOf(publicKeyPem: string): string {
  return createHash('sha256').update(publicKeyPem).digest('hex').slice(0, 16);
}

/** A fresh key pair, for the demo database and for tests. Production keys come from configuration. */
export function generateSigningKeyPem(): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}
