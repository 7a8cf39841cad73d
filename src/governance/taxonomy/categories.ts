import { DATA_CATEGORIES, REPLACED_CATEGORIES } from './data-categories.js';
import type { ReplacedKey, TaxonomyRecord } from './taxonomy-record.js';

const BY_KEY: ReadonlyMap<string, TaxonomyRecord> = new Map(DATA_CATEGORIES.map((r) => [r.key, r]));
const REPLACED: ReadonlyMap<string, ReplacedKey> = new Map(REPLACED_CATEGORIES.map((r) => [r.key, r]));

export const CATEGORIES: ReadonlySet<string> = new Set(BY_KEY.keys());

/** Categories that are not personal data: fields of these are never wrapped and cost nothing. */
export const NON_PERSONAL_ROOT = 'system';

export const isCategory = (key: string): boolean => CATEGORIES.has(key);
export const isPersonal = (category: string): boolean => category !== NON_PERSONAL_ROOT && !category.startsWith(`${NON_PERSONAL_ROOT}.`);

/** The record of a category (name, description, fideslang version). Only for keys already checked: an unknown one throws. */
export function categoryRecord(key: string): TaxonomyRecord {
  const record = BY_KEY.get(key);
  if (!record) throw new Error(`no data category ${key} in the taxonomy`);
  return record;
}

/**
 * Why a key is not a category, for build and pack errors: a replaced key names its successor, so a
 * field or pack written against an older taxonomy says what to write instead.
 */
export function unknownCategoryReason(key: string): string {
  const replaced = REPLACED.get(key);
  return replaced ? `replaced by ${replaced.replacedBy} (${replaced.since})` : 'unknown data category';
}
