import { LRUCache } from 'lru-cache';

/**
 * Records whose seal verified, remembered by seal with the exact fields it was verified over, so a
 * record read again (every request reads its subjects' records) is checked by comparing fields
 * instead of computing its MAC again. Exact: a hit needs every sealed field equal to what verified,
 * and anything else (another value, another type, a field added) takes the full verification. The
 * cache is process memory, filled only by records that verified: nothing in the database can add
 * to it.
 */
export class VerifiedSeals<R, V> {
  private readonly seen: LRUCache<string, { readonly fields: unknown[]; readonly value: V }>;

  /**
   * @param fieldsOf the sealed fields of a record, as primitives and arrays of primitives (dates as
   *   numbers), in a fixed order; a value it cannot read that way must make the record unequal.
   * @param max records remembered. Default 100 000.
   */
  constructor(private readonly fieldsOf: (record: R) => unknown[], max = 100_000) {
    this.seen = new LRUCache({ max });
  }

  /** The value remembered for this record, or, after `verify` (null: it does not verify), the new one. */
  check(seal: unknown, record: R, verify: () => V | null): V | null {
    if (typeof seal !== 'string') return null;
    const fields = this.fieldsOf(record);
    const hit = this.seen.get(seal);
    if (hit && sameFields(hit.fields, fields)) return hit.value;
    const value = verify();
    if (value !== null) this.seen.set(seal, { fields, value });
    return value;
  }
}

function sameFields(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) {
    const x = a[i];
    const y = b[i];
    if (Array.isArray(x) || Array.isArray(y)) {
      if (!Array.isArray(x) || !Array.isArray(y) || !sameFields(x, y)) return false;
    } else if (!Object.is(x, y)) return false;
  }
  return true;
}

/** A date as a comparable primitive; anything that is not a Date stays unequal to every date (a raw write). */
export const timeOf = (value: unknown): unknown => (value instanceof Date ? value.getTime() : value === null || value === undefined ? value : { notADate: true });
