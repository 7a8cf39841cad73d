/** Groups with fewer distinct subjects than this are never returned (k-anonymity, k = 5). */
export const MIN_GROUP_SUBJECTS = 5;

export interface GroupRow {
  /** Dimension values in `groupBy` order. */
  readonly values: readonly string[];
  readonly count: number;
  readonly subjects: number;
}

export interface Aggregate {
  readonly rows: GroupRow[];
  /** Groups left out for having fewer than MIN_GROUP_SUBJECTS subjects: only how many, never what they hold. */
  readonly suppressedGroups: number;
}

/** Counts calls and distinct subjects per group, from each subject's calls keyed by group. */
export class GroupCounter {
  private readonly groups = new Map<string, { values: readonly string[]; count: number; subjects: Set<string> }>();

  add(subject: string, values: readonly string[], count: number): void {
    const key = JSON.stringify(values);
    let group = this.groups.get(key);
    if (!group) this.groups.set(key, (group = { values, count: 0, subjects: new Set() }));
    group.count += count;
    group.subjects.add(subject);
  }

  /** Groups below k suppressed; the rest sorted by their values, so the answer does not depend on storage order. */
  result(): Aggregate {
    const rows: GroupRow[] = [];
    let suppressedGroups = 0;
    for (const group of this.groups.values()) {
      if (group.subjects.size < MIN_GROUP_SUBJECTS) suppressedGroups += 1;
      else rows.push({ values: group.values, count: group.count, subjects: group.subjects.size });
    }
    rows.sort((a, b) => JSON.stringify(a.values).localeCompare(JSON.stringify(b.values)));
    return { rows, suppressedGroups };
  }
}
