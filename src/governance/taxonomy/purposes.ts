import { DATA_USES } from './data-uses.js';
import type { TaxonomyRecord } from './taxonomy-record.js';

const BY_KEY: ReadonlyMap<string, TaxonomyRecord> = new Map(DATA_USES.map((r) => [r.key, r]));

/** Purposes (fideslang data uses). */
export const PURPOSES: ReadonlySet<string> = new Set(BY_KEY.keys());

export const isPurpose = (key: string): boolean => PURPOSES.has(key);

/** The record of a purpose (name, description, fideslang version). Only for keys already checked: an unknown one throws. */
export function purposeRecord(key: string): TaxonomyRecord {
  const record = BY_KEY.get(key);
  if (!record) throw new Error(`no purpose ${key} in the taxonomy`);
  return record;
}
