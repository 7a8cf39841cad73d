import DataLoader from 'dataloader';
import { requireAuthenticated } from '../auth/index.js';
import type { GatewayContext } from '../context.js';
import { stateSealOf } from '../db/connection-seal.js';
import { liveSupportGrants } from '../features/agents/index.js';
import { consentModel, type ConsentDoc } from '../features/consents/index.js';
import { userLoaders, type UserDoc } from '../features/users/index.js';
import { supportGrantsConcern } from '../governance/owner-only-rules.js';
import { NO_OPT_OUT, type OptOutPeriod } from '../governance/opt-out.js';
import type { ConsentState, SubjectState } from '../governance/types.js';
import { tenantOptOutPeriods } from '../features/tenants/index.js';
import { perRequest } from '../per-request.js';

const NO_CONSENTS: ReadonlyMap<string, ConsentState> = new Map();
const NO_GRANTS: ReadonlyMap<string, Date> = new Map();

export interface SubjectStates {
  /** The subject's state; consents are read only when the decision needs them. */
  load(subject: string, withConsents: boolean): Promise<SubjectState>;
}

/**
 * Restriction, objections, age and erasure come from the user records (usually already primed
 * by the user loader); consents, when a purpose needs them, from one batched query; a developer's
 * running support grants (pack `developerData`), only for a support caller under a support
 * purpose, from one more. All are loaded once per request for every subject in the response.
 *
 * Both are sealed by the gateway (src/governance/state-seal.ts) and verified here, because a
 * database writer must not be able to release anything: a consent record whose seal does not
 * verify counts as absent; a user record whose seal does not verify is decided as restricted and
 * a minor (fail closed), and logged at warn with identifiers only.
 */
export const subjectStates = perRequest<GatewayContext, SubjectStates>((ctx) => {
  const seal = stateSealOf(ctx.connection);
  const consents = new DataLoader<string, ReadonlyMap<string, ConsentState>>(async (subjects) => {
    const { tenant } = requireAuthenticated(ctx.caller);
    const rows = await consentModel(ctx.connection)
      .find({ tenant, subject: { $in: subjects as string[] } }, { tenant: 1, subject: 1, purpose: 1, status: 1, policyVersion: 1, at: 1, seal: 1 })
      .sort({ _id: 1 })
      .lean<ConsentDoc[]>()
      .exec();
    const latest = new Map<string, Map<string, ConsentState>>();
    const ignored = new Map<string, number>();
    for (const c of rows) {
      if (!seal.verifyConsent(c)) {
        ignored.set(c.subject, (ignored.get(c.subject) ?? 0) + 1);
        continue;
      }
      let bySubject = latest.get(c.subject);
      if (!bySubject) latest.set(c.subject, (bySubject = new Map()));
      // Append-only history in _id order: the last record per purpose is the current state.
      bySubject.set(c.purpose, { id: c._id, status: c.status, policyVersion: c.policyVersion });
    }
    for (const [subject, records] of ignored) {
      ctx.logger.warn({ tenant, subject, records, requestId: ctx.requestId }, 'consent records ignored: seal does not verify');
    }
    return subjects.map((s) => latest.get(s) ?? NO_CONSENTS);
  });
  // Per user record (the loader's cached object): verified once per request, however many values it decides.
  const userStates = new WeakMap<UserDoc, Omit<SubjectState, 'consents'>>();
  const userStateFor = (user: UserDoc): Omit<SubjectState, 'consents'> => {
    let state = userStates.get(user);
    if (state) return state;
    const sealed = seal.verifiedUserState(user);
    if (sealed) {
      state = {
        exists: true,
        erased: sealed.erasure !== 'ACTIVE',
        restricted: sealed.restricted,
        objections: sealed.objections,
        birthDate: sealed.birthDate,
        guardianConsent: sealed.guardianConsent === true,
        optOutPeriods: sealed.mipOptOutPeriods,
      };
    } else {
      ctx.logger.warn({ tenant: user.tenant, subject: user.subject, requestId: ctx.requestId }, 'user record seal does not verify: decided as restricted and a minor');
      // Erasure as recorded: it can only make the reading more restrictive. No birth date: an age
      // that cannot be checked is decided as a minor's.
      state = { exists: true, erased: user.erasure !== 'ACTIVE', restricted: true, objections: [], birthDate: null, guardianConsent: false, optOutPeriods: NO_OPT_OUT };
    }
    userStates.set(user, state);
    return state;
  };
  // The tenant's opt-outs matter only to training uses: read once per request, then.
  let tenantOptOut: Promise<readonly OptOutPeriod[]> | null = null;
  const training = ctx.pack.isTrainingUse(ctx.purpose);
  const tenantPeriods = (): Promise<readonly OptOutPeriod[]> | readonly OptOutPeriod[] => {
    if (!training) return NO_OPT_OUT;
    tenantOptOut ??= tenantOptOutPeriods(ctx.connection, requireAuthenticated(ctx.caller).tenant, ctx.logger);
    return tenantOptOut;
  };
  // Developers' support grants matter only to a support caller under a support purpose of the pack.
  const withGrants = supportGrantsConcern(ctx.caller.roles, ctx.purpose, ctx.pack);
  return {
    async load(subject, withConsents) {
      const [user, granted, supportGrants, ofTenant] = await Promise.all([
        userLoaders(ctx).bySubject.load(subject),
        withConsents ? consents.load(subject) : NO_CONSENTS,
        withGrants ? liveSupportGrants(ctx).load(subject) : NO_GRANTS,
        tenantPeriods(),
      ]);
      if (!user) return { exists: false, erased: true, restricted: false, objections: [], birthDate: null, guardianConsent: false, consents: NO_CONSENTS, supportGrants: NO_GRANTS, optOutPeriods: NO_OPT_OUT };
      const own = userStateFor(user);
      // Only a training use reads opt-outs; the account's alone allocate nothing.
      const optOutPeriods = !training ? NO_OPT_OUT : ofTenant.length === 0 ? own.optOutPeriods : [...own.optOutPeriods, ...ofTenant];
      return { ...own, optOutPeriods, consents: granted, supportGrants };
    },
  };
});
