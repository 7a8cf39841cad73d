import type { SubjectKeyStore } from '../keys/index.js';
import { hasSubjectSets, renameSubjects } from './decision-sets.js';
import type { AuditEventDoc, AuditEventInput } from './event.js';

/**
 * Audit events never name a data subject in clear: every subject id (the actor's included) is
 * stored as the subject's audit pseudonym, a MAC under their own data key (`sr_…`). While the key
 * exists the gateway maps it back for compliance officers and finds the subject's events; once
 * erasure destroys the key, the events still verify (nothing in them changes) but nothing links
 * them to the person any more.
 */

type Named = Pick<AuditEventInput, 'actor' | 'subjects' | 'decisions' | 'subjectSets'>;

/** Every subject id an event names (with subject sets, all of them are in `subjects`). */
function subjectsOf(event: Named): string[] {
  const ids = new Set<string>(event.subjects);
  if (event.actor.subject) ids.add(event.actor.subject);
  if (!hasSubjectSets(event)) for (const d of event.decisions) for (const s of d.subjects ?? []) if (s !== null) ids.add(s);
  return [...ids];
}

/**
 * The event with every subject renamed. `sorted`: what is stored (the table sorted by the new
 * names, subject sets following); otherwise a view for readers, positions kept.
 */
function mapSubjects<E extends Named>(event: E, map: (id: string) => string, sorted: boolean): E {
  const actor = { ...event.actor, subject: event.actor.subject === null ? null : map(event.actor.subject) };
  if (hasSubjectSets(event)) {
    const subjectSets = event.subjectSets!;
    const renamed = sorted ? renameSubjects({ subjects: event.subjects, decisions: event.decisions, subjectSets }, map) : null;
    return { ...event, actor, subjects: renamed ? renamed.subjects : event.subjects.map(map), subjectSets: renamed ? renamed.subjectSets : subjectSets };
  }
  return {
    ...event,
    actor,
    subjects: event.subjects.map(map).sort(),
    decisions: event.decisions.map((d) => ({ ...d, subjects: (d.subjects ?? []).map((s) => (s === null ? null : map(s))) })),
  };
}

/** The event as stored: subject ids replaced by pseudonyms (keys created for subjects that have none). Rejects when a key cannot be had: the event is then not written. */
export async function pseudonymizeEvent(keys: SubjectKeyStore, event: AuditEventInput): Promise<AuditEventInput> {
  const ids = subjectsOf(event);
  if (ids.length === 0) return event;
  const found = await keys.ensure(event.tenant, ids);
  return mapSubjects(event, (id) => found.get(id)!.ref, true);
}

/** Stored events with pseudonyms mapped back to subject ids where the key still exists (erased subjects stay `sr_…`). */
export async function identifyEvents(keys: SubjectKeyStore, tenant: string, events: readonly AuditEventDoc[]): Promise<AuditEventDoc[]> {
  const refs = events.flatMap((e) => subjectsOf(e));
  const subjects = await keys.subjectsOf(tenant, refs);
  return events.map((e) => mapSubjects(e, (ref) => subjects.get(ref) ?? ref, false));
}

/** The pseudonym events use for a subject, or null when the subject has no key (never had one, or erased). */
export async function refOfSubject(keys: SubjectKeyStore, tenant: string, subject: string): Promise<string | null> {
  return (await keys.existing(tenant, [subject])).get(subject)?.ref ?? null;
}
