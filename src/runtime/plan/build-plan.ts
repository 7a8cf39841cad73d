import { TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { Caller } from '../../auth/index.js';
import { staticVerdict } from '../../governance/decide.js';
import type { PolicyPack } from '../../governance/packs/index.js';
import { governedFieldsOf } from '../../governance/registry.js';
import { reasonView, type ReasonView } from '../../governance/state-reasons.js';
import type { StaticVerdict } from '../../governance/types.js';

/** Static verdicts for every governed field coordinate a document selects. */
export interface Plan {
  readonly verdicts: ReadonlyMap<string, StaticVerdict>;
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
        if (field?.personal) verdicts.set(coordinate, staticVerdict(field, caller, purpose, pack));
      },
    }),
  );
  const grants = [...verdicts.values()].filter((v) => v.kind === 'grant' && v.scope === 'tenant');
  return {
    verdicts,
    needsState: grants.length > 0,
    needsConsents: grants.some((v) => v.kind === 'grant' && v.consentPurpose !== null),
    reasons: reasonView(caller.roles, purpose, pack),
  };
}
