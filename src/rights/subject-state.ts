import DataLoader from 'dataloader';
import { requireAuthenticated } from '../auth/index.js';
import type { GatewayContext } from '../context.js';
import { consentModel, type ConsentDoc } from '../features/consents/index.js';
import { userLoaders } from '../features/users/index.js';
import type { SubjectState } from '../governance/index.js';
import { perRequest } from '../per-request.js';

type ConsentState = { status: 'GRANTED' | 'WITHDRAWN'; policyVersion: string };

/**
 * Consent, restriction, objections, age and erasure of every subject in a response, loaded in one
 * batch per request: user records come from the (usually primed) user loader, consents in one query.
 */
export const subjectStates = perRequest<GatewayContext, DataLoader<string, SubjectState>>(
  (ctx) =>
    new DataLoader(async (subjects) => {
      const { tenant } = requireAuthenticated(ctx.caller);
      const [users, consents] = await Promise.all([
        userLoaders(ctx).bySubject.loadMany(subjects),
        consentModel(ctx.connection)
          .find({ tenant, subject: { $in: subjects as string[] } }, { subject: 1, purpose: 1, status: 1, policyVersion: 1 })
          .sort({ _id: 1 })
          .lean<Pick<ConsentDoc, 'subject' | 'purpose' | 'status' | 'policyVersion'>[]>()
          .exec(),
      ]);
      const latest = new Map<string, Map<string, ConsentState>>();
      for (const c of consents) {
        let bySubject = latest.get(c.subject);
        if (!bySubject) latest.set(c.subject, (bySubject = new Map()));
        // Append-only history in _id order: the last record per purpose is the current state.
        bySubject.set(c.purpose, { status: c.status, policyVersion: c.policyVersion });
      }
      return subjects.map((subject, i): SubjectState => {
        const user = users[i];
        if (!user || user instanceof Error) {
          return { exists: false, erased: true, restricted: false, objections: [], birthDate: null, consents: new Map() };
        }
        return {
          exists: true,
          erased: user.erasure !== 'ACTIVE',
          restricted: user.restricted,
          objections: user.objections,
          birthDate: user.birthDate ?? null,
          consents: latest.get(subject) ?? new Map(),
        };
      });
    }),
);
