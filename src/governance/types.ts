import type { OptOutPeriod } from './opt-out.js';

/** How a value the caller may not see leaves instead. */
export const STRATEGIES = ['null', 'mask', 'hash', 'generalize', 'truncate', 'drop'] as const;
export type RedactionStrategy = (typeof STRATEGIES)[number];

/**
 * Reason codes (API.md); `TENANT` appears only in audit decisions, never in a response, and
 * `WITHHELD` only in responses: it stands for a reason that would reveal the data subject's own
 * state to a caller not granted that state (state-reasons.ts).
 */
export const REASONS = ['ROLE', 'PURPOSE', 'TENANT', 'CONSENT', 'RESTRICTED', 'OBJECTED', 'RETENTION', 'MINOR', 'DEVELOPER_DATA', 'PRIVATE', 'OPTED_OUT', 'ERASED', 'WITHHELD'] as const;
export type Reason = (typeof REASONS)[number];

export type Decision = 'ALLOW' | 'REDACT' | 'DENY';

/** The `governance` option of a field. */
export interface FieldGovernance {
  /** Data category, e.g. `user.contact.email` (taxonomy). */
  readonly category: string;
  /** Purposes this field may serve; a parent covers its children. */
  readonly purposes: readonly string[];
  /** What the caller gets when the value may not leave. */
  readonly strategy: RedactionStrategy;
  /** Mask style. Default: from the category (email, phone), else generic. */
  readonly mask?: 'email' | 'phone' | 'generic';
  /** Generalisation. Default: year for dates, country for locations. */
  readonly generalize?: 'year' | 'age_band' | 'country';
  /** Characters kept by `truncate`. Default 1. */
  readonly truncate?: number;
}

/** The `governance` option of an object type: how to find whose data a value is. */
export interface TypeGovernance<Shape = unknown> {
  /** The data subject's id (token `sub`), or null when the value belongs to no one. */
  subjectOf(value: Shape): string | null;
  /** The tenant the value belongs to. */
  tenantOf(value: Shape): string;
  /** When the value was created, for retention windows. */
  timestampOf?(value: Shape): Date | null | undefined;
  /** True when the value was created under a model-improvement opt-out. */
  optedOutOf?(value: Shape): boolean;
  /**
   * The agent whose developer data the value is (support grants are per agent), or null. With a
   * pack's `developerData`, such values are the owning developer's alone (reason DEVELOPER_DATA).
   */
  developerDataOf?(value: Shape): string | null;
  /**
   * The owner's visibility choice. With a pack's `privateContent`, a PRIVATE value is the owner's
   * alone (reason PRIVATE); a value without the hook is never private in that sense.
   */
  visibilityOf?(value: Shape): 'PRIVATE' | 'PUBLIC';
}

/** One governed field as the build registered it. */
export interface GovernedField {
  readonly coordinate: string;
  readonly typeName: string;
  readonly fieldName: string;
  readonly governance: FieldGovernance;
  readonly personal: boolean;
  readonly nullable: boolean;
  readonly list: boolean;
  readonly type: TypeGovernance;
}

/** The static part of a decision: known from role, purpose and field, without any data. */
export type StaticVerdict =
  | { readonly kind: 'deny'; readonly reason: 'ROLE' | 'PURPOSE'; readonly field: GovernedField }
  | {
      readonly kind: 'grant';
      /** own: only the caller's own data; tenant: any subject of the tenant. */
      readonly scope: 'own' | 'tenant';
      readonly field: GovernedField;
      /** The consent purpose that must be granted, or null. */
      readonly consentPurpose: string | null;
      /** ...and the version of its terms the grant must have been recorded under. */
      readonly consentVersion: string | null;
      /** The category's maximum retention in days (a legal-hold floor never redacts), or null. */
      readonly retentionDays: number | null;
      readonly minorRestricted: boolean;
      /** The pack has a guardian route and the purpose is not a legal obligation: a subject who needs a guardian's confirmed consent and lacks it is decided as a minor (MINOR). */
      readonly guardianGate: boolean;
      /** Purpose is model training/improvement: opt-outs apply. */
      readonly trainingUse: boolean;
      /** The pack keeps this category of developer data to the owning developer (DEVELOPER_DATA). */
      readonly developerData: boolean;
      /** ...except for this caller while the developer's support grant for the agent is live. */
      readonly supportAccess: boolean;
      /** The pack keeps this category of a PRIVATE value to its owner (PRIVATE). */
      readonly ownerOnlyWhenPrivate: boolean;
    };

export interface ConsentState {
  readonly id: string;
  readonly status: 'GRANTED' | 'WITHDRAWN';
  readonly policyVersion: string;
}

/** What the decision needs to know about a data subject, loaded once per request. */
export interface SubjectState {
  readonly exists: boolean;
  readonly erased: boolean;
  readonly restricted: boolean;
  readonly objections: readonly string[];
  readonly birthDate: Date | null;
  /** Their guardian confirmed consent (sealed; false when the record does not verify). */
  readonly guardianConsent: boolean;
  /** Latest consent record per purpose (its id: the lineage of what it released). */
  readonly consents: ReadonlyMap<string, ConsentState>;
  /** Model-improvement opt-outs of the account and of its tenant (loaded for training uses only). */
  readonly optOutPeriods: readonly OptOutPeriod[];
  /**
   * The subject's (a developer's) support grants that verify, by agent: when each ends. Loaded
   * only for callers a support grant can concern; absent: none.
   */
  readonly supportGrants?: ReadonlyMap<string, Date>;
}

/** Values decided in one request, by `DECISION:REASON` (reason `none` when there is none), e.g. `REDACT:CONSENT`. */
export type DecisionTally = ReadonlyMap<string, number>;

export interface Outcome {
  readonly decision: Decision;
  readonly reason: Reason | null;
}

export interface Redaction {
  readonly path: readonly (string | number)[];
  readonly category: string;
  readonly reason: Reason;
  readonly strategy: RedactionStrategy;
}

/**
 * The decisions of one request for one (coordinate, decision, reason), with every subject it
 * applied to: one entry per field and outcome instead of one per value keeps audit events small.
 */
export interface DecisionRecord {
  readonly coordinate: string;
  readonly category: string;
  readonly purpose: string;
  readonly decision: Decision;
  readonly reason: Reason | null;
  /**
   * Subjects, null for values that belong to no one: in first-seen order in events written before
   * subject sets, in the order of the event's `subjects` in events with them (decision-sets.ts).
   */
  readonly subjects: readonly (string | null)[];
}
