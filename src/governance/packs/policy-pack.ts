import type { Role } from '../../auth/caller.js';
import { anyCovers, covers } from '../taxonomy/index.js';
import { isTrainingUse, trainingPurposesOf } from '../training-purposes.js';
import type { ConsentRule, Grant, PackFile } from './pack-schema.js';
import type { GovernedField } from '../types.js';
import { ageAdmission, type AgeAdmission } from './age-admission.js';
import { endOfContractGrants, type EndOfContractRule } from './end-of-contract.js';
import { createFieldPurposes } from './field-purposes.js';
import { createRetentionLookup, type Retention } from './retention.js';

/** The active pack, indexed for the decisions the engine asks of it. */
export interface PolicyPack {
  readonly name: string;
  readonly version: string;
  readonly file: Readonly<PackFile>;
  /**
   * Grants of these roles that cover the category for the purpose; with a field coordinate, also
   * the grants scoped to that field (the end-of-contract export's).
   */
  grantsFor(roles: readonly Role[], category: string, purpose: string, coordinate?: string): Grant[];
  /** Grants compiled from pack rules that open only the listed field coordinates (endOfContract's). */
  readonly scopedGrants: readonly (Grant & { readonly coordinates: readonly string[] })[];
  /** The pack's end-of-contract rule when one of these roles may invoke it, else null. */
  endOfContractFor(roles: readonly Role[]): EndOfContractRule | null;
  /** The role's grants serve aggregates only (pack `aggregateOnly`). */
  aggregateOnly(role: Role): boolean;
  /** The purposes a field serves under this pack: the schema's, with the pack's `fieldPurposes` applied. */
  fieldPurposes(field: GovernedField): readonly string[];
  /** Purposes any of these roles may declare (with their children). */
  purposesOf(roles: readonly Role[]): string[];
  needsConsent(purpose: string): boolean;
  /** The most specific consent rule covering the purpose (the purpose itself or a parent), if any. */
  consentRuleFor(purpose: string): ConsentRule | null;
  /** ...its purpose: the consent a subject must have granted. */
  consentPurposeFor(purpose: string): string | null;
  /** The terms version a consent for this purpose is recorded under by default: its rule's, else the pack's. */
  consentVersionFor(purpose: string): string;
  /** The retention that applies to a category (its most specific rules): a maximum and/or a legal-hold floor. */
  retentionFor(category: string): Retention;
  minorRestricted(purpose: string): boolean;
  /** How a person of this age is admitted (registration) and decided (minors rule); null: unknown age. */
  ageAdmission(age: number | null): AgeAdmission;
  /** A subject may object to this purpose (it, or a parent, is listed in `objectable`). */
  isObjectable(purpose: string): boolean;
  /** Training-like purposes: the built-in ones and the pack's `trainingPurposes`. */
  readonly trainingPurposes: readonly string[];
  /** The purpose is (a child of) a training-like purpose: opt-outs and the objection-to-training rule apply. */
  isTrainingUse(purpose: string): boolean;
  /** True when one of these roles is granted the category for the purpose over the whole tenant. */
  grantsTenantWide(roles: readonly Role[], category: string, purpose: string): boolean;
}

export function createPolicyPack(file: PackFile): PolicyPack {
  const consentPurposes = file.consent.map((c) => c.purpose);
  // Most specific first, so a rule on `marketing.communications` wins over one on `marketing`.
  const consentRules = [...file.consent].sort((a, b) => b.purpose.length - a.purpose.length);
  const consentRuleFor = (purpose: string): ConsentRule | null => consentRules.find((c) => covers(c.purpose, purpose)) ?? null;
  const retentionFor = createRetentionLookup(file.retention);
  const objectable = file.objectable.map((o) => o.purpose);
  const trainingPurposes = trainingPurposesOf(file.trainingPurposes);
  const aggregateRoles: ReadonlySet<Role> = new Set((file.aggregateOnly ?? []).map((a) => a.role));
  const scopedGrants = endOfContractGrants(file.endOfContract);
  const matches = (roles: readonly Role[], category: string, purpose: string) => (g: Grant): boolean =>
    roles.includes(g.role) && anyCovers(g.categories, category) && anyCovers(g.purposes, purpose);
  const grantsFor = (roles: readonly Role[], category: string, purpose: string, coordinate?: string): Grant[] => {
    const found = file.grants.filter(matches(roles, category, purpose));
    if (coordinate === undefined || scopedGrants.length === 0) return found;
    return [...found, ...scopedGrants.filter((g) => g.coordinates.includes(coordinate) && matches(roles, category, purpose)(g))];
  };
  const pack: PolicyPack = {
    name: file.name,
    version: file.version,
    file: Object.freeze(file),
    grantsFor,
    aggregateOnly: (role) => aggregateRoles.has(role),
    scopedGrants,
    endOfContractFor: (roles) => (file.endOfContract && roles.some((r) => file.endOfContract!.roles.includes(r)) ? file.endOfContract : null),
    fieldPurposes: createFieldPurposes(file.fieldPurposes ?? []),
    purposesOf: (roles) => [...new Set(file.grants.filter((g) => roles.includes(g.role)).flatMap((g) => g.purposes))],
    needsConsent: (purpose) => anyCovers(consentPurposes, purpose),
    consentRuleFor,
    consentPurposeFor: (purpose) => consentRuleFor(purpose)?.purpose ?? null,
    consentVersionFor: (purpose) => consentRuleFor(purpose)?.version ?? file.version,
    retentionFor,
    minorRestricted: (purpose) => anyCovers(file.minors.restrictedPurposes, purpose),
    isObjectable: (purpose) => anyCovers(objectable, purpose),
    ageAdmission: (age) => ageAdmission(file, age),
    trainingPurposes,
    isTrainingUse: (purpose) => isTrainingUse(trainingPurposes, purpose),
    grantsTenantWide: (roles, category, purpose) => grantsFor(roles, category, purpose).some((g) => g.scope === 'tenant'),
  };
  return Object.freeze(pack);
}
