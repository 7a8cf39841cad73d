import type { DocumentNode } from 'graphql';
import { getOperationAST } from 'graphql';
import type { AuthenticatedCaller } from '../auth/index.js';
import { documentHashOf } from './canonical-hash.js';
import type { DecisionSets } from './decision-sets.js';
import type { AuditEventInput, AuditOutcome } from './event.js';

/** Client-chosen text kept in an event is cut to this many characters: the log is forever. */
export const MAX_CLIENT_TEXT = 128;

const bounded = (text: string | null): string | null => (text !== null && text.length > MAX_CLIENT_TEXT ? `${text.slice(0, MAX_CLIENT_TEXT)}…` : text);

const hashes = new WeakMap<DocumentNode, string>();

export interface OperationFacts {
  readonly operationName: string | null;
  readonly operationType: AuditEventInput['operationType'];
  readonly documentHash: string | null;
}

/** Name, type and hash of the executed operation; the hash is computed once per parsed document. */
export function operationFacts(document: DocumentNode, operationName: string | null | undefined): OperationFacts {
  const operation = getOperationAST(document, operationName ?? undefined);
  let hash = hashes.get(document);
  if (hash === undefined) {
    hash = documentHashOf(document.loc?.source.body ?? JSON.stringify(document));
    hashes.set(document, hash);
  }
  return { operationName: bounded(operation?.name?.value ?? operationName ?? null), operationType: operation?.operation ?? null, documentHash: hash };
}

export interface RequestEventParts {
  readonly id: string;
  readonly requestId: string;
  /** Only authenticated callers' requests are written: anonymous refusals are counted, not stored. */
  readonly caller: AuthenticatedCaller;
  readonly client: string | null;
  readonly purpose: string | null;
  readonly legalBasis: string | null;
  readonly operation: OperationFacts | null;
  readonly outcome: AuditOutcome;
  readonly code: string | null;
  readonly intent?: string | null;
  readonly accesses: readonly string[];
  /** The values decided, with their subjects (decision-sets.ts); absent: none. */
  readonly decided?: DecisionSets;
  /** The pack that decided (explainDecision and the dry-run read it). */
  readonly policy?: { readonly pack: string; readonly version: string };
}

export function requestEvent(parts: RequestEventParts): AuditEventInput {
  const decided = parts.decided && parts.decided.decisions.length > 0 ? parts.decided : null;
  return {
    id: parts.id,
    at: new Date(),
    tenant: parts.caller.tenant,
    requestId: parts.requestId,
    actor: { subject: parts.caller.subject, tenant: parts.caller.tenant, roles: [...parts.caller.roles], client: parts.client },
    purpose: parts.purpose,
    legalBasis: parts.legalBasis,
    operationName: parts.operation?.operationName ?? null,
    operationType: parts.operation?.operationType ?? null,
    documentHash: parts.operation?.documentHash ?? null,
    outcome: parts.outcome,
    code: parts.code,
    intent: parts.intent ?? null,
    accesses: [...parts.accesses],
    subjects: decided ? decided.subjects : [],
    decisions: decided ? decided.decisions : [],
    ...(decided ? { subjectSets: decided.subjectSets } : {}),
    ...(parts.policy ? { policy: parts.policy } : {}),
  };
}
