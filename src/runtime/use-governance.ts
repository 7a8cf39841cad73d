import type { Plugin } from '@envelop/core';
import { getOperationAST, Kind, type DocumentNode, type ExecutionResult, type SelectionSetNode } from 'graphql';
import { operationFacts } from '../audit/index.js';
import type { GatewayContext } from '../context.js';
import { GovgateError } from '../errors.js';
import type { PlanCache } from './plan/index.js';
import type { GatewayMetrics } from '../metrics.js';
import type { AuditHandOff, RequestActor } from './audit-hand-off.js';
import { subjectStates } from './subject-state.js';

export interface GovernanceOptions {
  planCache: PlanCache;
  handOff: AuditHandOff;
  metrics: GatewayMetrics;
}

export const auditUnavailable = (): GovgateError =>
  new GovgateError('AUDIT_UNAVAILABLE', 'the audit log cannot be written right now; nothing was returned or changed');

const isResult = (value: unknown): value is ExecutionResult => typeof value === 'object' && value !== null && !(Symbol.asyncIterator in value);

const actorOf = (ctx: GatewayContext): RequestActor => ({ requestId: ctx.requestId, caller: ctx.caller, client: ctx.client, purpose: ctx.purpose });

/** `Mutation.field` coordinates of the operation's root selections (fragments followed), for the intent event. */
function rootFields(document: DocumentNode, operationName: string | null | undefined): string[] {
  const operation = getOperationAST(document, operationName ?? undefined);
  if (!operation) return [];
  const type = operation.operation === 'mutation' ? 'Mutation' : operation.operation === 'query' ? 'Query' : 'Subscription';
  const fragments = new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
  const fields = new Set<string>();
  const walk = (set: SelectionSetNode, seen: Set<string>): void => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) fields.add(`${type}.${selection.name.value}`);
      else if (selection.kind === Kind.INLINE_FRAGMENT) walk(selection.selectionSet, seen);
      else if (!seen.has(selection.name.value)) {
        const fragment = fragments.get(selection.name.value);
        if (fragment) walk(fragment.selectionSet, new Set([...seen, selection.name.value]));
      }
    }
  };
  walk(operation.selectionSet, new Set());
  return [...fields];
}

/**
 * Steps 4 and 7 of a request. When execution starts: the operation's plan (cached) and, for a
 * mutation, its audit intent — persisted before anything can change, or nothing runs (503). After
 * execution: the outcome event is appended and acknowledged *before* the response is released (fail
 * closed), then `extensions.governance = { auditId, redactions }` is added.
 */
export function useGovernance(options: GovernanceOptions): Plugin<GatewayContext> {
  const { planCache, handOff, metrics } = options;
  return {
    async onExecute({ args, setResultAndStopExecution }) {
      const context = args.contextValue;
      const governance = context.governance;
      // The execution's context object (envelop copies what the factory returned into its own), so
      // subject state shares the resolvers' per-request loaders.
      governance.begin(planCache.planFor(args.document, args.operationName, context.caller, context.purpose), (subject, withConsents) => subjectStates(context).load(subject, withConsents));
      const operation = operationFacts(args.document, args.operationName);
      let intent: string | null = null;
      if (operation.operationType === 'mutation') {
        try {
          intent = await handOff.intent(actorOf(context), operation, rootFields(args.document, args.operationName));
          governance.intentId = intent;
        } catch (error) {
          context.logger.error({ requestId: context.requestId, err: { message: (error as Error).message } }, 'mutation refused: its audit intent was not persisted');
          metrics.auditUnavailable.inc({ stage: 'intent' });
          setResultAndStopExecution({ errors: [auditUnavailable()] });
          return;
        }
      }
      return {
        async onExecuteDone({ result, setResult }) {
          // Streams (subscriptions, @defer/@stream) are not audited per increment: refuse rather than fail open.
          if (!isResult(result)) {
            setResult({ errors: [new GovgateError('BAD_USER_INPUT', 'streamed results are not supported')] });
            return;
          }
          if (!context.caller.authenticated) metrics.anonymous.inc();
          let auditId: string | null;
          try {
            auditId = await handOff.outcome(actorOf(context), governance, operation, result, intent);
          } catch (error) {
            context.logger.error({ requestId: context.requestId, err: { message: (error as Error).message } }, 'response withheld: audit event not persisted');
            metrics.auditUnavailable.inc({ stage: 'outcome' });
            setResult({ errors: [auditUnavailable()] });
            return;
          }
          // Responses that decided governed values carry their event's id and the redactions (an
          // anonymous one lists them with auditId null: it is never written).
          if (!governance.touched) return;
          // Counted once the outcome is audited: a withheld response released nothing.
          metrics.observeRequest(governance.tally(), governance.redactions);
          setResult({
            ...result,
            // An anonymous request is never written, so it has no audit event to name.
            extensions: { ...result.extensions, governance: { auditId, redactions: governance.redactions } },
          });
        },
      };
    },
  };
}
