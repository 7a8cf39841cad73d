import type { ExecutionResult, GraphQLError } from 'graphql';
import { legalBasisFor, pseudonymizeEvent, requestEvent, type AuditEventInput, type AuditServices, type OperationFacts } from '../audit/index.js';
import { isAuthenticated, type AuthenticatedCaller, type Caller } from '../auth/index.js';
import { newId } from '../db/ids.js';
import type { PolicyPack } from '../governance/packs/index.js';
import type { SubjectKeyStore } from '../keys/index.js';
import type { RequestGovernance } from './request-governance.js';

/** Who asked, as the audit records it. */
export interface RequestActor {
  readonly requestId: string;
  readonly caller: Caller;
  readonly client: string | null;
  /** Only a purpose from the taxonomy: the header is client text and the log is forever. */
  readonly purpose: string | null;
}

const codeOf = (errors: readonly GraphQLError[] | undefined): string | null => {
  const code = errors?.[0]?.extensions?.code;
  return typeof code === 'string' ? code : errors?.length ? 'INTERNAL_SERVER_ERROR' : null;
};

/**
 * The one place a request's audit events are built and appended: a refusal before execution, a
 * mutation's intent before its effect, and the outcome before the response is released. Only
 * authenticated callers' requests are written; an anonymous caller reads nothing personal, and its
 * refusals are counted as metrics instead, so they cannot be turned into writes.
 */
export class AuditHandOff {
  constructor(
    private readonly audit: AuditServices,
    private readonly pack: PolicyPack,
    private readonly keys: SubjectKeyStore,
  ) {}

  /** Subjects are stored by pseudonym (src/audit/subject-refs.ts); a key that cannot be had fails the append. */
  private async append(event: AuditEventInput): Promise<void> {
    await this.audit.writer.append(await pseudonymizeEvent(this.keys, event));
  }

  /** A request refused before execution. Resolves false when it could not be written (the refusal stands). */
  async refusal(actor: RequestActor & { caller: AuthenticatedCaller }, code: string): Promise<boolean> {
    try {
      await this.append(
        requestEvent({ ...this.base(actor), id: newId(), operation: null, outcome: 'DENIED', code, accesses: [] }),
      );
      return true;
    } catch {
      return false;
    }
  }

  /** Before a mutation takes effect; rejects (AuditUnavailableError) when it cannot be written, and then nothing may change. */
  async intent(actor: RequestActor, operation: OperationFacts, fields: readonly string[]): Promise<string | null> {
    if (!isAuthenticated(actor.caller)) return null;
    const id = newId();
    await this.append(
      requestEvent({ ...this.base(actor), caller: actor.caller, id, operation, outcome: 'INTENT', code: null, accesses: fields }),
    );
    return id;
  }

  /**
   * The outcome of an executed operation, acknowledged before the response leaves. Audited: any
   * read or attempted read of governed fields, every mutation, every compliance access, every
   * refusal. Resolves to the event's id (the response's `auditId`), or null when there is nothing to
   * write. The id is made at append time, so ids sort in chain order.
   */
  async outcome(actor: RequestActor, governance: RequestGovernance, operation: OperationFacts, result: ExecutionResult, intent: string | null): Promise<string | null> {
    if (!isAuthenticated(actor.caller)) return null;
    const code = codeOf(result.errors);
    const denied = code === 'FORBIDDEN';
    const audited = governance.touched || governance.plan.verdicts.size > 0 || operation.operationType === 'mutation' || governance.accesses.length > 0 || denied;
    if (!audited) return null;
    const id = newId();
    const failed = !denied && code !== null && (result.data === null || result.data === undefined || Object.values(result.data).every((v) => v === null));
    await this.append(
      requestEvent({
        ...this.base(actor),
        caller: actor.caller,
        id,
        operation,
        outcome: denied ? 'DENIED' : failed ? 'FAILED' : 'SERVED',
        code,
        intent,
        accesses: governance.accesses,
        decided: governance.decisionSets(),
      }),
    );
    return id;
  }

  private base(actor: RequestActor & { caller: Caller }) {
    return {
      requestId: actor.requestId,
      caller: actor.caller as AuthenticatedCaller,
      client: actor.client,
      purpose: actor.purpose,
      legalBasis: legalBasisFor(actor.purpose, this.pack),
      policy: { pack: this.pack.name, version: this.pack.version },
    };
  }
}
