/**
 * The consent rule of the peer variants (A in its resolvers, B as a shield rule, C as an authScopes
 * function), written the way a team without a governance layer would: a caller reading another
 * subject's data under a purpose that needs consent sees it only if that subject's latest consent
 * record for the purpose is GRANTED under the current version of its terms. The same rule, and the
 * same batched read, as govgate's: one query per request for the consents of every subject in
 * the response (a DataLoader), the append-only history in _id order, the last record per purpose.
 *
 * What the peers do not do (govgate does): verify the records' seals, check the declared purpose
 * against the caller's roles, treat a purpose's children, or redact otherwise than null / [].
 */
import DataLoader from 'dataloader';
import { consentModel, type ConsentDoc } from '../../src/features/consents/index.js';
import { loadPolicyPack } from '../../src/governance/packs/index.js';
import { perRequest } from '../../src/per-request.js';
import { POLICY_PACK } from '../lib/dataset.js';
import type { PeerContext } from './common.js';

/** Purposes that need the subject's consent, and the version of the terms it must be given under: the pack's table, as configuration. */
const CONSENT_TERMS: ReadonlyMap<string, string> = new Map(loadPolicyPack(POLICY_PACK).file.consent.map((c) => [c.purpose, c.version]));

type Latest = ReadonlyMap<string, Pick<ConsentDoc, 'status' | 'policyVersion'>>;
const NONE: Latest = new Map();

/** Per request: subject → purpose → that subject's last consent record for it. */
const consentsOf = perRequest<PeerContext, DataLoader<string, Latest>>(
  (ctx) =>
    new DataLoader<string, Latest>(async (subjects) => {
      const rows = await consentModel(ctx.connection)
        .find({ tenant: ctx.caller.tenant, subject: { $in: subjects as string[] } }, { subject: 1, purpose: 1, status: 1, policyVersion: 1 })
        .sort({ _id: 1 })
        .lean<ConsentDoc[]>()
        .exec();
      const latest = new Map<string, Map<string, Pick<ConsentDoc, 'status' | 'policyVersion'>>>();
      for (const c of rows) {
        let bySubject = latest.get(c.subject);
        if (!bySubject) latest.set(c.subject, (bySubject = new Map()));
        bySubject.set(c.purpose, { status: c.status, policyVersion: c.policyVersion });
      }
      return subjects.map((s) => latest.get(s) ?? NONE);
    }),
);

/**
 * Whether the caller may see `subject`'s data as far as consent goes: at once (true) when the
 * declared purpose needs none or the data is the caller's own, else after the batched read.
 */
export function consentAllows(subject: string, ctx: PeerContext): true | Promise<boolean> {
  const purpose = ctx.purpose;
  const version = purpose === null ? undefined : CONSENT_TERMS.get(purpose);
  if (purpose === null || version === undefined || (ctx.caller.authenticated && ctx.caller.subject === subject)) return true;
  return consentsOf(ctx)
    .load(subject)
    .then((latest) => {
      const record = latest.get(purpose);
      return record?.status === 'GRANTED' && record.policyVersion === version;
    });
}
