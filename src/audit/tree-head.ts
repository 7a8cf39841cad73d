import { compactVerify, type JWTVerifyGetKey } from 'jose';
import { AUDIT_ALGORITHMS, type AuditSigner } from './audit-keys.js';

/** A signed tree head of one chain: the RFC 9162 root over its first `size` event hashes. */
export interface ChainHead {
  readonly tenant: string;
  readonly chainId: string;
  readonly size: number;
  /** Merkle root (hex) over the leaf hashes of events 1..size. */
  readonly root: string;
  /** Hash of event `size` (the hash chain's head), so a reader can tie the head to a document. */
  readonly last: string;
  readonly at: string;
}

/** A signed statement of every chain of a tenant as one verification saw it intact. */
export interface TenantHead {
  readonly tenant: string;
  readonly at: string;
  readonly chains: readonly { readonly chainId: string; readonly size: number; readonly root: string }[];
}

export const CHAIN_HEAD_TYP = 'govgate-chain-head+jws';
export const TENANT_HEAD_TYP = 'govgate-tenant-head+jws';

export const signChainHead = (signer: AuditSigner, head: ChainHead): Promise<string> => signer.sign(head, CHAIN_HEAD_TYP);
export const signTenantHead = (signer: AuditSigner, head: TenantHead): Promise<string> => signer.sign(head, TENANT_HEAD_TYP);

export type Verified<T> = { ok: true; head: T; kid: string } | { ok: false; kid: string | null; why: string };

const decoder = new TextDecoder();

function kidOf(jws: string): string | null {
  try {
    const header = JSON.parse(Buffer.from(jws.split('.')[0] ?? '', 'base64url').toString('utf8')) as { kid?: unknown };
    return typeof header.kid === 'string' ? header.kid.slice(0, 64) : null;
  } catch {
    return null;
  }
}

/** Checks a head's signature against the configured keys and its type; never trusts the payload otherwise. */
export async function verifyHead<T>(jws: string, keys: JWTVerifyGetKey, typ: string): Promise<Verified<T>> {
  const kid = kidOf(jws);
  try {
    const { payload, protectedHeader } = await compactVerify(jws, keys, { algorithms: [...AUDIT_ALGORITHMS] });
    if (protectedHeader.typ !== typ) return { ok: false, kid, why: `not a ${typ}` };
    return { ok: true, head: JSON.parse(decoder.decode(payload)) as T, kid: protectedHeader.kid ?? '' };
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_JWKS_NO_MATCHING_KEY') return { ok: false, kid, why: `signed by key ${kid ?? '(none)'}, which is not configured` };
    return { ok: false, kid, why: 'signature does not verify with the configured keys' };
  }
}
