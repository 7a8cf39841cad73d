/**
 * The vocabulary test oracles decide with, written from DESIGN.md and API.md — never imported from
 * src/, so an oracle stays independent of the code it checks. Pack rules are read from the pack
 * JSON files themselves.
 */
import { readFileSync } from 'node:fs';

/** DESIGN.md "Vocabulary": the purposes (fideslang data uses), declared by their leaves. */
export const DESIGN_PURPOSE_LEAVES = [
  'essential.service',
  'essential.service.authentication',
  'essential.service.payment_processing',
  'essential.service.security',
  'essential.service.operations.support',
  'essential.legal_obligation',
  'analytics.reporting',
  'functional.service.improve',
  'personalize',
  'marketing.communications',
  'train_ai_system',
  // govgate's one extension (docs/contract.md "Purposes"): training a third party's model (003 §3).
  'train_ai_system.third_party',
  'third_party_sharing',
] as const;

/** "Parents match children": a dotted key `a.b` is covered by `a`. */
export const covers = (rule: string, key: string): boolean => key === rule || key.startsWith(`${rule}.`);
export const ancestorsOf = (key: string): string[] => key.split('.').map((_, i, parts) => parts.slice(0, i + 1).join('.'));
/** Every purpose with its parents, sorted. */
export const ORACLE_PURPOSES: readonly string[] = [...new Set(DESIGN_PURPOSE_LEAVES.flatMap(ancestorsOf))].sort();

/** API.md "Caller". */
export const ROLES = ['user', 'developer', 'support', 'ml_engineer', 'analyst', 'compliance_officer', 'tenant_admin', 'service'] as const;
export type Role = (typeof ROLES)[number];

/** DESIGN/API: model training and model improvement; a pack may name more (`trainingPurposes`). */
export const BUILT_IN_TRAINING_PURPOSES: readonly string[] = ['train_ai_system', 'functional.service.improve'];

/** A pack file merged over the file it `extends` (whole top-level keys override). */
export function readPackJson(name: string): Record<string, unknown> {
  const own = JSON.parse(readFileSync(new URL(`../../schema/policies/${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;
  return typeof own.extends === 'string' ? { ...readPackJson(own.extends), ...own } : own;
}
