import type { JSONWebKeySet, JWK } from 'jose';
import type { AuditStore } from './audit-store.js';
import type { AuditSigner } from './signing-key.js';

/**
 * Every audit key ever used stays published: a rotated-out key must still verify the checkpoints
 * and bundles it signed. The current key is recorded at start-up.
 */
export async function publishSigningKey(store: AuditStore, signer: AuditSigner): Promise<void> {
  await store.keys.updateOne(
    { _id: signer.kid },
    { $setOnInsert: { publicJwk: signer.publicJwk as Record<string, unknown>, firstUsedAt: new Date() } },
    { upsert: true },
  );
}

export async function publishedKeys(store: AuditStore, signer: AuditSigner): Promise<JSONWebKeySet> {
  const stored = await store.keys.find({}).sort({ firstUsedAt: 1 }).toArray();
  const keys = stored.map((k) => k.publicJwk as JWK);
  if (!keys.some((k) => k.kid === signer.kid)) keys.push(signer.publicJwk);
  return { keys };
}
