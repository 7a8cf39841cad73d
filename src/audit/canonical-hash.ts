import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical-json.js';
import { hasSubjectSets } from './decision-sets.js';
import type { AuditEvent, AuditEventDoc } from './event.js';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The exact object that is hashed: every field but the hash, dates as ISO strings, no undefined. */
export function hashableOf(event: Omit<AuditEvent, 'hash'>): Record<string, unknown> {
  const sets = hasSubjectSets(event);
  return {
    id: event.id,
    chainId: event.chainId,
    seq: event.seq,
    prevHash: event.prevHash,
    continues: event.continues ?? null,
    at: event.at.toISOString(),
    tenant: event.tenant,
    requestId: event.requestId,
    actor: { subject: event.actor.subject ?? null, tenant: event.actor.tenant ?? null, roles: [...event.actor.roles], client: event.actor.client ?? null },
    purpose: event.purpose ?? null,
    legalBasis: event.legalBasis ?? null,
    operationName: event.operationName ?? null,
    operationType: event.operationType ?? null,
    documentHash: event.documentHash ?? null,
    outcome: event.outcome,
    code: event.code ?? null,
    intent: event.intent ?? null,
    accesses: [...event.accesses],
    subjects: [...event.subjects],
    decisions: event.decisions.map((d) => ({
      coordinate: d.coordinate,
      category: d.category,
      purpose: d.purpose,
      decision: d.decision,
      reason: d.reason ?? null,
      // Inline subjects, or (events with subject sets) the set's index: the form it is stored in.
      ...(sets ? { set: d.set ?? null } : { subjects: (d.subjects ?? []).map((x) => x ?? null) }),
    })),
    // Only when present: events without subject sets hash exactly as they did before them.
    ...(sets ? { subjectSets: event.subjectSets!.map((set) => [...set]) } : {}),
    // Only when present: events without a policy hash exactly as they did before the field existed.
    ...(event.policy ? { policy: { pack: event.policy.pack, version: event.policy.version } } : {}),
    // Only when present: events without effects hash exactly as they did before the field existed.
    ...(event.effects
      ? { effects: event.effects.map((e) => ({ collection: e.collection, action: e.action, count: e.count, category: e.category, days: e.days, source: e.source })) }
      : {}),
  };
}

/** SHA-256 over RFC 8785 canonical JSON of the event without its hash. */
export function hashEvent(event: Omit<AuditEvent, 'hash'>): string {
  return sha256(canonicalJson(hashableOf(event)));
}

export function eventFromDoc(doc: AuditEventDoc): AuditEvent {
  const { _id, head: _head, ...rest } = doc;
  return { ...rest, id: _id };
}

/**
 * What a stored event's hash covers, or null when its document no longer has an event's shape (a
 * time that is no date, a list that is no list): only a database writer makes one, so it counts as
 * altered, and naming it must not fail the verification that reads it.
 */
export function storedHashable(doc: AuditEventDoc): Record<string, unknown> | null {
  try {
    return hashableOf(eventFromDoc(doc));
  } catch {
    return null;
  }
}

/** A stored event's hash recomputed, or null when it cannot be (storedHashable). */
export function storedHash(doc: AuditEventDoc): string | null {
  const hashable = storedHashable(doc);
  if (hashable === null) return null;
  try {
    return sha256(canonicalJson(hashable));
  } catch {
    return null;
  }
}

export const documentHashOf = (source: string): string => sha256(source);
