import type { Caller } from '../../auth/index.js';
import { OUTCOMES, readsValue, staticVerdict } from '../../governance/decide.js';
import type { PolicyPack } from '../../governance/packs/index.js';
import type { GovernedField, Outcome, StaticVerdict } from '../../governance/types.js';

type Grant = Extract<StaticVerdict, { kind: 'grant' }>;

/**
 * One governed field of a plan, compiled: everything about its decision that does not depend on a
 * value, so deciding a value costs a few comparisons and, for another subject's data, a lookup of
 * what that subject's state already decided in this request.
 */
export interface FieldPlan {
  readonly field: GovernedField;
  readonly verdict: StaticVerdict;
  /** For another subject's value: decided by the plan alone (ROLE, PURPOSE), or null when the subject's state decides. */
  readonly others: Outcome | null;
  /** The grant whose gates the subject's state runs (null when `others` decides). */
  readonly grant: Grant | null;
  /**
   * Fields whose subject gates (choices, age) read the same verdict facts share a class: per
   * request, each subject's gates run once per class, not once per value.
   */
  readonly gateClass: number;
  /** Some rule reads the value itself (retention, developer data, private, opt-out). */
  readonly readsValue: boolean;
  /** Position in the plan: where a request keeps this field's decisions. */
  readonly slot: number;
}

/** What makes two grants' subject gates equal: consent purpose and version, objections to training, minors, guardian route. */
const gateKey = (g: Grant): string => `${g.consentPurpose ?? ''}\u0000${g.consentVersion ?? ''}\u0000${g.trainingUse}\u0000${g.minorRestricted}\u0000${g.guardianGate}`;

/** Compiles the fields a plan selects; `gateClasses` is shared by the plan's fields so classes are numbered across it. */
export function compileFieldPlan(field: GovernedField, caller: Caller, purpose: string, pack: PolicyPack, slot: number, gateClasses: Map<string, number>): FieldPlan {
  const verdict = staticVerdict(field, caller, purpose, pack);
  if (verdict.kind === 'deny') return { field, verdict, others: OUTCOMES[verdict.reason], grant: null, gateClass: -1, readsValue: false, slot };
  // A grant of the caller's own data only: anyone else's value is refused by role, whatever its state.
  if (verdict.scope === 'own') return { field, verdict, others: OUTCOMES.ROLE, grant: null, gateClass: -1, readsValue: false, slot };
  const key = gateKey(verdict);
  let gateClass = gateClasses.get(key);
  if (gateClass === undefined) gateClasses.set(key, (gateClass = gateClasses.size));
  return { field, verdict, others: null, grant: verdict, gateClass, readsValue: readsValue(verdict), slot };
}
