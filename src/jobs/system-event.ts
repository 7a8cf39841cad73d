import type { Connection } from 'mongoose';
import { legalBasisFor, pseudonymizeEvent, type AuditEventInput, type AuditServices } from '../audit/index.js';
import { newId } from '../db/ids.js';
import type { PolicyPack } from '../governance/packs/index.js';
import { subjectKeysOf } from '../keys/index.js';

/** What a job of the gateway itself needs to audit what it does. */
export interface SystemEventDeps {
  readonly connection: Connection;
  readonly audit: AuditServices;
}

const SYSTEM_PURPOSE = 'essential.legal_obligation';

export type SystemEventParts = Pick<AuditEventInput, 'outcome' | 'subjects' | 'intent' | 'code'> &
  Partial<Pick<AuditEventInput, 'effects'>> & { operationName: string; accesses: string[]; client: string };

/** An audit event of the gateway itself (no caller, `client` names the job): a sweeper's intent and outcome. */
export function systemEvent(pack: PolicyPack, tenant: string, parts: SystemEventParts): AuditEventInput {
  return {
    id: newId(),
    at: new Date(),
    tenant,
    requestId: newId(),
    actor: { subject: null, tenant, roles: [], client: parts.client },
    purpose: SYSTEM_PURPOSE,
    legalBasis: legalBasisFor(SYSTEM_PURPOSE, pack),
    operationName: parts.operationName,
    operationType: null,
    documentHash: null,
    outcome: parts.outcome,
    code: parts.code,
    intent: parts.intent,
    accesses: parts.accesses,
    subjects: parts.subjects,
    decisions: [],
    // Only when given: an event without effects hashes as every event before them did.
    ...(parts.effects ? { effects: parts.effects } : {}),
  };
}

/** Appends a system event with its subjects pseudonymised (as every event is stored); its id. */
export async function appendSystemEvent(deps: SystemEventDeps, event: AuditEventInput): Promise<string> {
  await deps.audit.writer.append(await pseudonymizeEvent(subjectKeysOf(deps.connection), event));
  return event.id;
}
