import { createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from '../canonical-json.js';
import { sealableOptOut, type OptOutPeriod } from './opt-out.js';
import { timeOf, VerifiedSeals } from './verified-seals.js';

/** The fields of a user record that decisions read (restriction, objections, erasure, age). */
export interface SealableUser {
  readonly tenant: string;
  readonly subject: string;
  readonly restricted?: boolean | null;
  readonly objections?: readonly string[] | null;
  readonly erasure?: string | null;
  readonly birthDate?: Date | null;
  readonly guardian?: { readonly consent?: boolean | null } | null;
  /** When a pending erasure is carried out (set with ERASURE_PENDING by eraseMyAccount). */
  readonly erasureDueAt?: Date | null;
  /** The account's model-improvement opt-outs (setModelImprovementOptOut). */
  readonly mipOptOutPeriods?: readonly OptOutPeriod[] | null;
}

/** One consent record, whole: every field of it is decided on. */
export interface SealableConsent {
  readonly _id: string;
  readonly tenant: string;
  readonly subject: string;
  readonly purpose: string;
  readonly status: string;
  readonly policyVersion: string;
  readonly at: Date;
}

/**
 * The decided-on fields of a record of another kind (a support grant, a gallery image's
 * visibility): strings, numbers, booleans, dates and nulls only.
 */
export type SealableFields = Readonly<Record<string, string | number | boolean | Date | null>>;

/** A user's governance state exactly as sealed, and as decided: decisions read this, never the raw record. */
export interface SealedUserState {
  readonly tenant: string;
  readonly subject: string;
  readonly restricted: boolean;
  /** Sorted, without duplicates: an objection is a set. */
  readonly objections: readonly string[];
  readonly erasure: string;
  readonly birthDate: Date | null;
  readonly guardianConsent: boolean | null;
  readonly erasureDueAt: Date | null;
  readonly mipOptOutPeriods: readonly OptOutPeriod[];
}

/**
 * HMAC-SHA-256 seals over subject state, under a key that lives outside the database: someone who
 * can write to the database but not read the gateway's configuration cannot make a record that
 * verifies. Seals are base64url strings stored on the record (`seal`).
 */
export interface StateSeal {
  /** A non-secret fingerprint of the key: two seals with the same id use the same key. */
  readonly keyId: string;
  user(user: SealableUser): string;
  consent(consent: SealableConsent): string;
  /** False for a missing, malformed or wrong seal, and for a record whose fields are not what the gateway writes. */
  verifyUser(user: SealableUser & { readonly seal?: string | null }): boolean;
  /** The record's state as sealed when its seal verifies (remembered across requests, checked field by field), else null. */
  verifiedUserState(user: SealableUser & { readonly seal?: string | null }): SealedUserState | null;
  verifyConsent(consent: SealableConsent & { readonly seal?: string | null }): boolean;
  /**
   * A MAC binding a one-time token to the record it redeems (a guardian confirmation): a database
   * writer can insert the record but not make the token. Of its own kind, it never verifies as a
   * user or consent seal, nor as a token of another kind.
   */
  token(kind: string, fields: Readonly<Record<string, string>>): string;
  verifyToken(kind: string, fields: Readonly<Record<string, string>>, mac: string): boolean;
  /** A record of another kind, e.g. `support_grant`: its kind is part of what is MACed. */
  record(kind: string, fields: SealableFields): string;
  verifyRecord(kind: string, fields: SealableFields, seal: string | null | undefined): boolean;
}

/** Keys shorter than this are refused (STATE_SEAL_KEY needs at least 32 characters). */
export const MIN_STATE_SEAL_KEY_BYTES = 32;

const isoOf = (date: Date): string => {
  // A non-Date (a raw write) throws here, which verification turns into "does not verify".
  if (!(date instanceof Date)) throw new TypeError('not a date');
  return date.toISOString();
};

/** Checked (throws when malformed) and normalised: `until` null rather than missing. */
function optOutPeriodsOf(periods: readonly OptOutPeriod[] | null | undefined): readonly OptOutPeriod[] {
  sealableOptOut(periods);
  return (periods ?? []).map((p) => ({ from: p.from, until: p.until ?? null }));
}

/** The normalised state of a user record (defaults as the model applies them). Throws on a malformed record. */
export function userStateOf(user: SealableUser): SealedUserState {
  const objections = user.objections ?? [];
  if (!Array.isArray(objections) || !objections.every((o) => typeof o === 'string')) throw new TypeError('objections are not strings');
  const birthDate = user.birthDate ?? null;
  if (birthDate !== null) isoOf(birthDate);
  const erasureDueAt = user.erasureDueAt ?? null;
  if (erasureDueAt !== null) isoOf(erasureDueAt);
  return {
    tenant: user.tenant,
    subject: user.subject,
    restricted: user.restricted ?? false,
    objections: [...new Set(objections)].sort(),
    erasure: user.erasure ?? 'ACTIVE',
    birthDate,
    guardianConsent: user.guardian?.consent ?? null,
    erasureDueAt,
    mipOptOutPeriods: optOutPeriodsOf(user.mipOptOutPeriods),
  };
}

// What is MACed: a version and a kind (a user seal never verifies as a consent seal), then the
// fields, as RFC 8785 canonical JSON so key order and number formatting cannot vary.
function userMessage(user: SealableUser): string {
  const { erasureDueAt, mipOptOutPeriods, ...s } = userStateOf(user);
  // The due date and the opt-outs are sealed only when set, so seals made before they existed still verify.
  const due = erasureDueAt ? { erasureDueAt: isoOf(erasureDueAt) } : {};
  const optOut = mipOptOutPeriods.length > 0 ? { mipOptOutPeriods: sealableOptOut(mipOptOutPeriods) } : {};
  return canonical({ v: 1, kind: 'user', ...s, ...due, ...optOut, birthDate: s.birthDate ? isoOf(s.birthDate) : null });
}

function consentMessage(c: SealableConsent): string {
  return canonical({ v: 1, kind: 'consent', id: c._id, tenant: c.tenant, subject: c.subject, purpose: c.purpose, status: c.status, policyVersion: c.policyVersion, at: isoOf(c.at) });
}

// A date is sealed as a tagged value, so a string that reads like the same instant never verifies.
function recordMessage(kind: string, fields: SealableFields): string {
  const values: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) values[name] = value instanceof Date ? { date: isoOf(value) } : value;
  return canonical({ v: 1, kind: `record:${kind}`, fields: values });
}

const canonical = (value: Record<string, unknown>): string => canonicalJson(value);

/** The raw fields userMessage reads, as VerifiedSeals compares them. */
const userFields = (u: SealableUser): unknown[] => [
  u.tenant,
  u.subject,
  u.restricted,
  Array.isArray(u.objections) ? [...u.objections] : u.objections === undefined || u.objections === null ? u.objections : { notAList: true },
  u.erasure,
  timeOf(u.birthDate),
  u.guardian?.consent,
  timeOf(u.erasureDueAt),
  Array.isArray(u.mipOptOutPeriods) ? u.mipOptOutPeriods.map((p) => [timeOf(p?.from), timeOf(p?.until)]) : u.mipOptOutPeriods === undefined || u.mipOptOutPeriods === null ? u.mipOptOutPeriods : { notAList: true },
];

/** Every field of a consent record consentMessage reads. */
const consentFields = (c: SealableConsent): unknown[] => [c._id, c.tenant, c.subject, c.purpose, c.status, c.policyVersion, timeOf(c.at)];

export function createStateSeal(key: Uint8Array): StateSeal {
  if (key.byteLength < MIN_STATE_SEAL_KEY_BYTES) throw new Error(`a state seal key needs at least ${MIN_STATE_SEAL_KEY_BYTES} bytes`);
  const mac = (message: string): Buffer => createHmac('sha256', key).update(message, 'utf8').digest();
  const matches = (message: () => string, seal: string | null | undefined): boolean => {
    if (typeof seal !== 'string') return false;
    try {
      const expected = mac(message());
      const given = Buffer.from(seal, 'base64url');
      return given.length === expected.length && timingSafeEqual(given, expected);
    } catch {
      return false;
    }
  };
  // Every request reads its subjects' user and consent records: a record seen before verifies by
  // comparing its fields with what verified, not by a MAC (verified-seals.ts).
  const users = new VerifiedSeals<SealableUser, SealedUserState>(userFields);
  const consents = new VerifiedSeals<SealableConsent, true>(consentFields, 200_000);
  const verifiedUserState = (user: SealableUser & { readonly seal?: string | null }): SealedUserState | null =>
    users.check(user.seal, user, () => (matches(() => userMessage(user), user.seal) ? userStateOf(user) : null));
  return {
    keyId: mac('govgate state seal key id').subarray(0, 8).toString('hex'),
    user: (user) => mac(userMessage(user)).toString('base64url'),
    consent: (consent) => mac(consentMessage(consent)).toString('base64url'),
    verifyUser: (user) => verifiedUserState(user) !== null,
    verifiedUserState,
    verifyConsent: (consent) => consents.check(consent.seal, consent, () => (matches(() => consentMessage(consent), consent.seal) ? true : null)) === true,
    token: (kind, fields) => mac(canonical({ v: 1, kind: `token:${kind}`, fields })).toString('base64url'),
    verifyToken: (kind, fields, given) => matches(() => canonical({ v: 1, kind: `token:${kind}`, fields }), given),
    record: (kind, fields) => mac(recordMessage(kind, fields)).toString('base64url'),
    verifyRecord: (kind, fields, seal) => matches(() => recordMessage(kind, fields), seal),
  };
}
