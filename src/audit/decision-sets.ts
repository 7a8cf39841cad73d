import type { DecisionRecord } from '../governance/index.js';

/**
 * How an event keeps which subjects each decision was taken for. Events written before subject
 * sets list them inline on every decision (`subjects`); events with `subjectSets` keep each distinct
 * set of subjects once, as positions in the event's sorted `subjects`, and each decision names its
 * set (`set`). A request deciding 500 fields of the same 20 subjects then stores those 20 once,
 * not 500 times: what an event costs to hash, store and sign grows with its fields and subjects,
 * not with their product.
 */
export interface StoredDecision extends Omit<DecisionRecord, 'subjects'> {
  /** Inline subjects (events without `subjectSets`). */
  readonly subjects?: readonly (string | null)[];
  /** Index into the event's `subjectSets` (events with them). */
  readonly set?: number;
}

/**
 * Whether an event keeps its decisions' subjects as subject sets (else inline): the one test the
 * hash, every reader and decisionStats' query (`$isArray`) make, so a field the hash does not cover
 * in one form (a decision's `subjects` beside its `set`, a `subjectSets` that is no list) is
 * read by nobody.
 */
export const hasSubjectSets = (event: { readonly subjectSets?: unknown }): boolean => Array.isArray(event.subjectSets);

/** In a subject set: a value that belongs to no subject. */
export const NO_SUBJECT = -1;

export interface DecisionSets {
  /** Every subject the decisions name, sorted, without duplicates. */
  readonly subjects: readonly string[];
  readonly decisions: readonly StoredDecision[];
  /** Distinct subject sets: ascending positions in `subjects` (NO_SUBJECT first when present). */
  readonly subjectSets: readonly (readonly number[])[];
}

interface WithDecisions {
  readonly subjects: readonly string[];
  readonly decisions: readonly StoredDecision[];
  readonly subjectSets?: readonly (readonly number[])[] | undefined;
}

/** The subjects of one stored decision, whichever way its event keeps them. */
export function subjectsOfDecision(event: WithDecisions, decision: StoredDecision): (string | null)[] {
  if (!hasSubjectSets(event)) return [...(decision.subjects ?? [])];
  const set = event.subjectSets![decision.set ?? NaN];
  if (!set) return [];
  return set.map((i) => (i === NO_SUBJECT ? null : (event.subjects[i] ?? null)));
}

/** How many values of subjects a stored decision covers (one per subject). */
export function decisionSize(event: WithDecisions, decision: StoredDecision): number {
  return hasSubjectSets(event) ? (event.subjectSets![decision.set ?? NaN]?.length ?? 0) : (decision.subjects?.length ?? 0);
}

/** An event's decisions with their subjects listed (for readers; hashing reads the stored form). */
export function decisionsOf(event: WithDecisions): DecisionRecord[] {
  return event.decisions.map((d) => ({ coordinate: d.coordinate, category: d.category, purpose: d.purpose, decision: d.decision, reason: d.reason, subjects: subjectsOfDecision(event, d) }));
}

/** The compact form of decisions taken per (field, outcome), each with the subjects it was taken for. */
export function compactDecisions(entries: Iterable<{ readonly record: Omit<DecisionRecord, 'subjects'>; readonly subjects: Iterable<string | null> }>): DecisionSets {
  const list = [...entries];
  const table = new Set<string>();
  for (const { subjects } of list) for (const s of subjects) if (s !== null) table.add(s);
  const subjects = [...table].sort();
  const position = new Map(subjects.map((s, i) => [s, i]));
  const setIds = new Map<string, number>();
  // The fields of one list decide its subjects in the same order: most sets are found by that order
  // before their positions are looked up and sorted.
  const seenInOrder = new Map<string, number>();
  const subjectSets: number[][] = [];
  const decisions = list.map(({ record, subjects: of }) => {
    const inOrder = [...of];
    // JSON keeps every id apart from every other and from null, whatever characters an id holds.
    const raw = JSON.stringify(inOrder);
    let id = seenInOrder.get(raw);
    if (id === undefined) {
      const set = inOrder.map((s) => (s === null ? NO_SUBJECT : position.get(s)!)).sort((a, b) => a - b);
      const key = set.join(',');
      id = setIds.get(key);
      if (id === undefined) {
        setIds.set(key, (id = subjectSets.length));
        subjectSets.push(set);
      }
      seenInOrder.set(raw, id);
    }
    return { ...record, set: id };
  });
  return { subjects, decisions, subjectSets };
}

/**
 * The same decisions with every subject renamed (ids to pseudonyms): the table is renamed and sorted
 * again, and each set follows its subjects to their new positions.
 */
export function renameSubjects(sets: DecisionSets, rename: (id: string) => string): DecisionSets {
  const renamed = sets.subjects.map(rename);
  const order = renamed.map((name, old) => ({ name, old })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const moved = new Map(order.map(({ old }, now) => [old, now]));
  return {
    subjects: order.map(({ name }) => name),
    decisions: sets.decisions,
    subjectSets: sets.subjectSets.map((set) => set.map((i) => (i === NO_SUBJECT ? NO_SUBJECT : moved.get(i)!)).sort((a, b) => a - b)),
  };
}
