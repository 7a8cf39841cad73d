import type { Plugin } from '@envelop/core';
import type { ExecutionResult } from 'graphql';
import type { GatewayContext } from '../context.js';
import { newId } from '../db/ids.js';
import { attachGovernance, RequestGovernance, type PlanCache, type Pseudonymizer, type SubjectState } from '../governance/index.js';

export interface GovernanceOptions {
  planCache: PlanCache;
  pseudonymizer: Pseudonymizer;
  /** Per-request, batched subject state loader. */
  subjectStateLoader: (context: GatewayContext) => (subject: string) => Promise<SubjectState>;
}

const isResult = (value: unknown): value is ExecutionResult => typeof value === 'object' && value !== null && !(Symbol.asyncIterator in value);

/**
 * Before execution: the operation's plan (cached) and the request's governance state. After it:
 * `extensions.governance = { auditId, redactions }` on every response that touched governed data.
 */
export function useGovernance(options: GovernanceOptions): Plugin<GatewayContext> {
  const { planCache, pseudonymizer, subjectStateLoader } = options;
  return {
    onExecute({ args }) {
      const context = args.contextValue;
      const plan = planCache.planFor(args.document, args.operationName, context.caller, context.purpose);
      const governance = new RequestGovernance({
        caller: context.caller,
        purpose: context.purpose,
        pack: context.pack,
        plan,
        auditId: newId(),
        pseudonymizer,
        loadSubjectState: subjectStateLoader(context),
      });
      attachGovernance(context, governance);
      return {
        onExecuteDone({ result, setResult }) {
          if (!isResult(result) || !governance.touched) return;
          setResult({
            ...result,
            extensions: { ...result.extensions, governance: { auditId: governance.auditId, redactions: governance.redactions } },
          });
        },
      };
    },
  };
}
