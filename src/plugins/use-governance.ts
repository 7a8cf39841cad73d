import type { Plugin } from '@envelop/core';
import type { ExecutionResult, GraphQLError } from 'graphql';
import { legalBasisFor, operationFacts, requestEvent, type AuditServices } from '../audit/index.js';
import type { GatewayContext } from '../context.js';
import { newId } from '../db/ids.js';
import { GovgateError } from '../errors.js';
import { attachGovernance, RequestGovernance, type PlanCache, type Pseudonymizer, type SubjectState } from '../governance/index.js';

export interface GovernanceOptions {
  planCache: PlanCache;
  pseudonymizer: Pseudonymizer;
  audit: AuditServices;
  /** Per-request, batched subject state loader. */
  subjectStateLoader: (context: GatewayContext) => (subject: string, withConsents: boolean) => Promise<SubjectState>;
}

const isResult = (value: unknown): value is ExecutionResult => typeof value === 'object' && value !== null && !(Symbol.asyncIterator in value);
const codeOf = (errors: readonly GraphQLError[] | undefined): string | null => {
  const code = errors?.[0]?.extensions?.code;
  return typeof code === 'string' ? code : errors?.length ? 'INTERNAL_SERVER_ERROR' : null;
};

export const auditUnavailable = (): GovgateError =>
  new GovgateError('AUDIT_UNAVAILABLE', 'the audit log cannot be written right now; no data was returned');

/**
 * Before execution: the operation's plan (cached) and the request's governance state. After it:
 * the audit event is appended and acknowledged *before* the response is released (fail closed),
 * then `extensions.governance = { auditId, redactions }` is added.
 */
export function useGovernance(options: GovernanceOptions): Plugin<GatewayContext> {
  const { planCache, pseudonymizer, subjectStateLoader, audit } = options;
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
        async onExecuteDone({ result, setResult }) {
          // Streams (subscriptions, @defer/@stream) are not audited per increment: refuse rather than fail open.
          if (!isResult(result)) {
            setResult({ errors: [new GovgateError('BAD_USER_INPUT', 'streamed results are not supported')] });
            return;
          }
          const operation = operationFacts(args.document, args.operationName);
          const code = codeOf(result.errors);
          const denied = code === 'FORBIDDEN';
          // Audited: any read or attempted read of governed fields (even one that failed before a
          // value was decided), every mutation, every compliance access and every refusal.
          const audited = governance.touched || governance.plan.verdicts.size > 0 || operation.operationType === 'mutation' || governance.accesses.length > 0 || denied;
          if (!audited) return;
          const failed = !denied && code !== null && (result.data === null || result.data === undefined || Object.values(result.data).every((v) => v === null));
          try {
            await audit.writer.append(
              requestEvent({
                id: governance.auditId,
                requestId: context.requestId,
                caller: context.caller,
                client: context.client,
                purpose: context.purpose,
                legalBasis: legalBasisFor(context.purpose, context.pack),
                operation,
                outcome: denied ? 'DENIED' : failed ? 'FAILED' : 'SERVED',
                code,
                accesses: governance.accesses,
                decisions: governance.decisionRecords(),
              }),
            );
          } catch (error) {
            context.logger.error({ requestId: context.requestId, err: { message: (error as Error).message } }, 'response withheld: audit event not persisted');
            setResult({ errors: [auditUnavailable()] });
            return;
          }
          if (!governance.touched) return;
          setResult({
            ...result,
            extensions: { ...result.extensions, governance: { auditId: governance.auditId, redactions: governance.redactions } },
          });
        },
      };
    },
  };
}
