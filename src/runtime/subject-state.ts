import DataLoader from 'dataloader';
import { requireAuthenticated } from '../auth/index.js';
import type { GatewayContext } from '../context.js';
import { consentModel, type ConsentDoc } from '../features/consents/index.js';
import { userLoaders } from '../features/users/index.js';
import type { SubjectState } from '../governance/types.js';
import { perRequest } from '../per-request.js';

type ConsentState = { status: 'GRANTED' | 'WITHDRAWN'; policyVersion: string };
const NO_CONSENTS: ReadonlyMap<string, ConsentState> = new Map();

export interface SubjectStates {
  /** The subject's state; consents are read only when the decision needs them. */
  load(subject: string, withConsents: boolean): Promise<SubjectState>;
}

/**
 * Restriction, objections, age and erasure come from the user records (usually already primed
 * by the user loader); consents, when a purpose needs them, from one batched query. Both are
 * loaded once per request for every subject in the response.
 */
export const subjectStates = perRequest<GatewayContext, SubjectStates>((ctx) => {
  const consents = new DataLoader<string, ReadonlyMap<string, ConsentState>>(async (subjects) => {
    const { tenant } = requireAuthenticated(ctx.caller);
    const rows = await consentModel(ctx.connection)
      .find({ tenant, subject: { $in: subjects as string[] } }, { subject: 1, purpose: 1, status: 1, policyVersion: 1 })
      .sort({ _id: 1 })
      .lean<Pick<ConsentDoc, 'subject' | 'purpose' | 'status' | 'policyVersion'>[]>()
      .exec();
    const latest = new Map<string, Map<string, ConsentState>>();
    for (const c of rows) {
      let bySubject = latest.get(c.subject);
      if (!bySubject) latest.set(c.subject, (bySubject = new Map()));
      // Append-only history in _id order: the last record per purpose is the current state.
      bySubject.set(c.purpose, { status: c.status, policyVersion: c.policyVersion });
    }
    return subjects.map((s) => latest.get(s) ?? NO_CONSENTS);
  });
  return {
    async load(subject, withConsents) {
      const [user, granted] = await Promise.all([userLoaders(ctx).bySubject.load(subject), withConsents ? consents.load(subject) : NO_CONSENTS]);
      if (!user) return { exists: false, erased: true, restricted: false, objections: [], birthDate: null, consents: NO_CONSENTS };
      return {
        exists: true,
        erased: user.erasure !== 'ACTIVE',
        restricted: user.restricted,
        objections: user.objections,
        birthDate: user.birthDate ?? null,
        consents: granted,
      };
    },
  };
});
