import { TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { Caller } from '../../auth/index.js';
import type { PolicyPack } from '../../governance/packs/index.js';
import { governedFieldsOf } from '../../governance/registry.js';
import { reasonView, type ReasonView } from '../../governance/state-reasons.js';
import type { GovernedField, StaticVerdict } from '../../governance/types.js';
import { compileFieldPlan, type FieldPlan } from './field-plan.js';

/** Static verdicts for every governed field coordinate a document selects. */
export interface Plan {
  readonly verdicts: ReadonlyMap<string, StaticVerdict>;
  /** The same fields compiled for deciding values, by field (identity: no string hashing per value). */
  readonly fields: ReadonlyMap<GovernedField, FieldPlan>;
  /** How many subject-gate classes the fields have (FieldPlan.gateClass is below this). */
  readonly gateClasses: number;
  /** Some value may need its subject's state (a tenant-wide grant). */
  readonly needsState: boolean;
  /** ...and consents among it. */
  readonly needsConsents: boolean;
  /** How each reason is shown to these roles under this purpose (state reasons may be WITHHELD). */
  readonly reasons: ReasonView;
}

/**
 * Walks the document once (fragments included) and computes the data-free verdict of every
 * governed coordinate it selects. Costs O(selections); runs once per cache key, not per request.
 */
export function buildPlan(schema: GraphQLSchema, document: DocumentNode, caller: Caller, purpose: string, pack: PolicyPack): Plan {
  const governed = governedFieldsOf(schema);
  const verdicts = new Map<string, StaticVerdict>();
  const fields = new Map<GovernedField, FieldPlan>();
  const gateClasses = new Map<string, number>();
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        if (!parent) return;
        const coordinate = `${parent.name}.${node.name.value}`;
        if (verdicts.has(coordinate)) return;
        const field = governed.get(coordinate);
        if (!field?.personal) return;
        const compiled = compileFieldPlan(field, caller, purpose, pack, fields.size, gateClasses);
        fields.set(field, compiled);
        verdicts.set(coordinate, compiled.verdict);
      },
    }),
  );
  const grants = [...verdicts.values()].filter((v) => v.kind === 'grant' && v.scope === 'tenant');
  return {
    verdicts,
    fields,
    gateClasses: gateClasses.size,
    needsState: grants.length > 0,
    needsConsents: grants.some((v) => v.kind === 'grant' && v.consentPurpose !== null),
    reasons: reasonView(caller.roles, purpose, pack),
  };
}
