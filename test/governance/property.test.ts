/**
 * Property test of the whole governance pipeline: random callers (tenant × subject × roles ×
 * token purposes), random declared purposes and random queries over two seeded tenants, checked
 * against an independent oracle of the decision table written here from DESIGN.md's decision
 * order and the pack JSON files (read with fs; src/governance/decide.ts and policy-pack.ts are
 * deliberately not used).
 *
 * Reproduce a failure: FC_SEED=<seed> FC_PATH=<path> npx vitest run test/governance/property.test.ts
 * (FC_NUM_RUNS=<n> changes the number of cases, FC_STATS=1 prints how often each reason was hit.)
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consentModel } from '../../src/features/consents/index.js';
import { conversationModel, messageModel } from '../../src/features/conversations/index.js';
import { userModel } from '../../src/features/users/index.js';
import { PURPOSES } from '../../src/governance/taxonomy/index.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { ancestorsOf, BUILT_IN_TRAINING_PURPOSES, covers, ORACLE_PURPOSES, readPackJson, ROLES, type Role } from '../helpers/oracle-vocabulary.js';
import { rowLevelAnalysts } from '../helpers/policy-dir.js';
import { encrypted } from '../helpers/encrypted.js';

const NUM_RUNS = Number(process.env.FC_NUM_RUNS ?? 1000);
const DAY = 86_400_000;
const NOW = Date.now();

// ---------------------------------------------------------------------------------------------
// The oracle's own vocabulary (DESIGN.md, API.md: test/helpers/oracle-vocabulary.ts) and pack
// (schema/policies/*.json via fs).
// ---------------------------------------------------------------------------------------------

/** API.md: role defaults of X-Purpose. Roles it does not name fall back to the base service purpose. */
const ROLE_DEFAULT_PURPOSE: Partial<Record<Role, string>> = {
  user: 'essential.service',
  compliance_officer: 'essential.legal_obligation',
  support: 'essential.service.operations.support',
  ml_engineer: 'train_ai_system',
  analyst: 'analytics.reporting',
};
const FALLBACK_PURPOSE = 'essential.service';
/** API.md reason codes. */
const API_REASONS = ['ROLE', 'PURPOSE', 'TENANT', 'CONSENT', 'RESTRICTED', 'OBJECTED', 'RETENTION', 'MINOR', 'DEVELOPER_DATA', 'PRIVATE', 'OPTED_OUT', 'ERASED', 'WITHHELD'];
/**
 * API.md: a reason revealing the subject's own state is shown only to the subject and to roles
 * granted that state's category; everyone else sees WITHHELD. The state each reason reveals
 * (task brief): privacy choices, age, account.
 */
const STATE_REASON_CATEGORY: Record<string, string> = {
  CONSENT: 'user.privacy_preferences',
  RESTRICTED: 'user.privacy_preferences',
  OBJECTED: 'user.privacy_preferences',
  OPTED_OUT: 'user.privacy_preferences',
  MINOR: 'user.demographic.date_of_birth',
  ERASED: 'user.account',
};
/** DESIGN.md: restriction and objection do not stop processing for a legal obligation. */
const LEGAL_OBLIGATION = 'essential.legal_obligation';
// An opt-out means "never used to train models" (training and model improvement, and what a pack
// adds in `trainingPurposes`); an objection to `train_ai_system` covers all of them.

interface PackGrant {
  role: string;
  scope: 'own' | 'tenant';
  categories: string[];
  purposes: string[];
}
interface OraclePack {
  name: string;
  version: string;
  grants: PackGrant[];
  /** Consent rules, each with the version of its terms. */
  consent: { purpose: string; version: string }[];
  retention: { category: string; days: number; kind: 'max' | 'floor' }[];
  minorsAge: number;
  minorRestrictedPurposes: string[];
  trainingPurposes: string[];
}

function oraclePack(name: string): OraclePack {
  const json = readPackJson(name) as {
    name: string;
    version: string;
    grants: PackGrant[];
    consent: { purpose: string; version: string }[];
    retention: { category: string; days: number; kind: 'max' | 'floor' }[];
    minors: { age: number; restrictedPurposes: string[] };
    trainingPurposes?: { purpose: string }[];
  };
  return {
    name: json.name,
    version: json.version,
    grants: json.grants,
    consent: json.consent,
    retention: json.retention,
    minorsAge: json.minors.age,
    minorRestrictedPurposes: json.minors.restrictedPurposes,
    trainingPurposes: [...BUILT_IN_TRAINING_PURPOSES, ...(json.trainingPurposes ?? []).map((t) => t.purpose)],
  };
}

const PACK = oraclePack('deepailab');

// ---------------------------------------------------------------------------------------------
// Seed: two tenants, users covering every subject state, conversations, messages, consents.
// Ids are deterministic so the arbitraries can name them before the database is seeded.
// ---------------------------------------------------------------------------------------------

const TENANTS = ['t1', 't2'] as const;
type Tenant = (typeof TENANTS)[number];

interface SeedUser {
  _id: string;
  tenant: Tenant;
  subject: string;
  displayName: string;
  email: string;
  phone: string | null;
  birthDate: Date | null;
  country: string | null;
  policyVersion: string;
  guardian: null;
  restricted: boolean;
  objections: string[];
  erasure: 'ACTIVE' | 'ERASED';
  erasedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}
interface SeedConversation {
  _id: string;
  tenant: Tenant;
  owner: string;
  title: string;
  mipOptOut: boolean;
  createdAt: Date;
  updatedAt: Date;
}
interface SeedMessage {
  _id: string;
  tenant: Tenant;
  conversationId: string;
  owner: string;
  role: 'USER' | 'ASSISTANT';
  content: string;
  mipOptOut: boolean;
  createdAt: Date;
}
interface SeedConsent {
  _id: string;
  tenant: Tenant;
  subject: string;
  purpose: string;
  status: 'GRANTED' | 'WITHDRAWN';
  policyVersion: string;
  at: Date;
}

type ConsentSpec = [purpose: string, status: 'GRANTED' | 'WITHDRAWN', version: string];
interface ConversationSpec {
  ageDays: number;
  mipOptOut?: boolean;
}
interface Profile {
  key: string;
  minor?: boolean;
  restricted?: boolean;
  objections?: string[];
  erased?: boolean;
  noContact?: boolean;
  consents: ConsentSpec[];
  conversations: ConversationSpec[];
  /** Days since registration; default: a few days. */
  accountAgeDays?: number;
}

/** A consent recorded under the current version of its purpose's terms (resolved when seeding). */
const CURRENT = 'current-terms';
/** The terms version a consent for `purpose` counts under: its most specific consent rule's, else the pack's. */
const consentRuleOf = (purpose: string) => [...PACK.consent].sort((a, b) => b.purpose.length - a.purpose.length).find((c) => covers(c.purpose, purpose));
const currentVersionOf = (purpose: string): string => consentRuleOf(purpose)?.version ?? PACK.version;
const PROFILES: Profile[] = [
  {
    key: 'ada',
    consents: [['train_ai_system', 'GRANTED', CURRENT], ['marketing.communications', 'GRANTED', CURRENT], ['functional.service.improve', 'GRANTED', CURRENT]],
    conversations: [{ ageDays: 3 }, { ageDays: 200 }, { ageDays: 5, mipOptOut: true }],
  },
  {
    key: 'kid',
    minor: true,
    consents: [['train_ai_system', 'GRANTED', CURRENT], ['personalize', 'GRANTED', CURRENT], ['functional.service.improve', 'GRANTED', CURRENT]],
    conversations: [{ ageDays: 2 }],
  },
  { key: 'res', restricted: true, consents: [['train_ai_system', 'GRANTED', CURRENT]], conversations: [{ ageDays: 4 }] },
  { key: 'obj', objections: ['analytics', 'functional.service.improve'], consents: [['train_ai_system', 'GRANTED', CURRENT]], conversations: [{ ageDays: 6 }] },
  { key: 'vold', consents: [['train_ai_system', 'GRANTED', 'an-older-version']], conversations: [{ ageDays: 7 }] },
  {
    key: 'wdr',
    noContact: true,
    consents: [['train_ai_system', 'GRANTED', CURRENT], ['train_ai_system', 'WITHDRAWN', CURRENT]],
    conversations: [{ ageDays: 8 }],
  },
  { key: 'era', erased: true, consents: [['train_ai_system', 'GRANTED', CURRENT]], conversations: [{ ageDays: 9 }] },
  { key: 'new', consents: [], conversations: [] },
  // A long-standing account (registered > 90 days ago) with a fresh conversation.
  { key: 'vet', accountAgeDays: 400, consents: [['train_ai_system', 'GRANTED', CURRENT]], conversations: [{ ageDays: 2 }] },
  // Objects to training: that covers model improvement too, whatever was consented.
  {
    key: 'otr',
    objections: ['train_ai_system'],
    consents: [['train_ai_system', 'GRANTED', CURRENT], ['functional.service.improve', 'GRANTED', CURRENT]],
    conversations: [{ ageDays: 3 }],
  },
];

const hexId = (prefix: string, tenantIndex: number, n: number): string => `${prefix}${tenantIndex}${n.toString(16).padStart(21, '0')}`;
const utcDay = (ms: number): Date => {
  const d = new Date(ms);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
};

interface Seed {
  users: SeedUser[];
  conversations: SeedConversation[];
  messages: SeedMessage[];
  consents: SeedConsent[];
}

function buildSeed(): Seed {
  const seed: Seed = { users: [], conversations: [], messages: [], consents: [] };
  TENANTS.forEach((tenant, ti) => {
    let conv = 0;
    let msg = 0;
    let consent = 0;
    const addConversation = (owner: string, spec: ConversationSpec) => {
      const createdAt = new Date(NOW - spec.ageDays * DAY);
      const c: SeedConversation = {
        _id: hexId('cc', ti + 1, conv),
        tenant,
        owner,
        title: `TITLE-${tenant}-${String(conv).padStart(3, '0')}-x`,
        mipOptOut: spec.mipOptOut ?? false,
        createdAt,
        updatedAt: createdAt,
      };
      conv += 1;
      seed.conversations.push(c);
      for (const role of ['USER', 'ASSISTANT'] as const) {
        seed.messages.push({
          _id: hexId('ee', ti + 1, msg),
          tenant,
          conversationId: c._id,
          owner,
          role,
          content: `CANARY-${tenant}-${String(msg).padStart(3, '0')}-x`,
          mipOptOut: c.mipOptOut,
          createdAt: new Date(createdAt.getTime() + (msg + 1) * 60_000),
        });
        msg += 1;
      }
    };
    PROFILES.forEach((p, ui) => {
      const subject = `${tenant}-${p.key}`;
      let birthDate = p.minor ? utcDay(NOW - 16.5 * 365.25 * DAY) : new Date(Date.UTC(1975 + ui * 3, (ui * 5) % 12, 10 + ui));
      // Never 1 January: the year-generalised form must differ from the raw date.
      if (birthDate.getUTCMonth() === 0 && birthDate.getUTCDate() === 1) birthDate = new Date(birthDate.getTime() + DAY);
      const createdAt = new Date(NOW - (p.accountAgeDays ?? ui + 1) * DAY);
      seed.users.push({
        _id: hexId('aa', ti + 1, ui),
        tenant,
        subject,
        displayName: `Name ${tenant} ${p.key}`,
        email: `${p.key}.${tenant}@mail-${tenant}.test`,
        phone: p.noContact ? null : `+33 6 ${ti + 1}${ui} 45 67 ${ui}${ti + 1}`,
        birthDate,
        country: p.noContact ? null : ['FR', 'DE', 'ES', 'IT', 'PT', 'NL', 'BE', 'AT', 'PL'][ui] ?? 'FR',
        policyVersion: PACK.version,
        guardian: null,
        restricted: p.restricted ?? false,
        objections: p.objections ?? [],
        erasure: p.erased ? 'ERASED' : 'ACTIVE',
        erasedAt: p.erased ? new Date(NOW - DAY) : null,
        createdAt,
        updatedAt: createdAt,
      });
      p.consents.forEach(([purpose, status, version]) => {
        const policyVersion = version === CURRENT ? currentVersionOf(purpose) : version;
        seed.consents.push({ _id: hexId('dd', ti + 1, consent), tenant, subject, purpose, status, policyVersion, at: new Date(NOW - DAY + consent * 1000) });
        consent += 1;
      });
      for (const spec of p.conversations) addConversation(subject, spec);
    });
    // A conversation whose owner has no account (never registered or already removed).
    addConversation(`${tenant}-ghost`, { ageDays: 1 });
  });
  return seed;
}

const SEED = buildSeed();
const keyOf = (tenant: string, subject: string): string => `${tenant}\u0000${subject}`;
const USERS = new Map(SEED.users.map((u) => [keyOf(u.tenant, u.subject), u]));
const byId = <T extends { _id: string }>(a: T, b: T): number => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0);
/** Latest consent record per (tenant, subject, purpose), in insertion (= _id) order. */
const LATEST_CONSENT = new Map<string, { status: string; policyVersion: string }>();
for (const c of [...SEED.consents].sort(byId)) LATEST_CONSENT.set(`${keyOf(c.tenant, c.subject)}\u0000${c.purpose}`, c);

const ALL_SUBJECTS = [...SEED.users.map((u) => u.subject), 't1-ghost', 't2-ghost', 'stranger'];
const MISSING_USER_ID = 'nobody';
const MISSING_CONVERSATION_ID = hexId('cc', 9, 0);
const ALL_CONVERSATION_IDS = [...SEED.conversations.map((c) => c._id), MISSING_CONVERSATION_ID];

/** Every identifying string of a tenant: none may ever reach another tenant's caller. */
function secretsOf(tenant: Tenant): string[] {
  return [
    ...SEED.users.filter((u) => u.tenant === tenant).flatMap((u) => [u.subject, u.displayName, u.email, ...(u.phone ? [u.phone] : [])]),
    `${tenant}-ghost`,
    ...SEED.conversations.filter((c) => c.tenant === tenant).flatMap((c) => [c._id, c.title]),
    ...SEED.messages.filter((m) => m.tenant === tenant).flatMap((m) => [m._id, m.content]),
  ];
}
const SECRETS: Record<Tenant, string[]> = { t1: secretsOf('t1'), t2: secretsOf('t2') };

// ---------------------------------------------------------------------------------------------
// The oracle: DESIGN.md's decision order, first failure wins.
// ---------------------------------------------------------------------------------------------

interface Classification {
  coordinate: string;
  category: string;
  purposes: string[];
  strategy: string;
}
let CLASSIFICATION = new Map<string, Classification>();
const classified = (coordinate: string): Classification => {
  const c = CLASSIFICATION.get(coordinate);
  if (!c) throw new Error(`oracle: ${coordinate} is not in the data map`);
  return c;
};
const isPersonal = (category: string): boolean => category !== 'system' && !category.startsWith('system.');

interface OracleCaller {
  tenant: Tenant;
  subject: string;
  roles: Role[];
}
interface Facts {
  tenant: string;
  subject: string;
  /** When the value was created, for retention windows; null: the value has no age of its own. */
  timestamp: Date | null;
  optedOut: boolean;
}
type Verdict = { allow: true } | { allow: false; reason: string };
const ALLOW: Verdict = { allow: true };
const deny = (reason: string): Verdict => ({ allow: false, reason });

function ageOn(birthDate: Date, now: Date): number {
  const years = now.getUTCFullYear() - birthDate.getUTCFullYear();
  const months = now.getUTCMonth() - birthDate.getUTCMonth();
  const beforeBirthday = months < 0 || (months === 0 && now.getUTCDate() < birthDate.getUTCDate());
  return beforeBirthday ? years - 1 : years;
}

/** The maximum retention of a category: the rules of the most specific category that has any decide; a floor never redacts. */
function retentionDaysOf(category: string): number | null {
  const rules = PACK.retention.filter((r) => covers(r.category, category)).sort((a, b) => b.category.length - a.category.length);
  const nearest = rules.filter((r) => r.category === rules[0]?.category);
  return nearest.find((r) => r.kind === 'max')?.days ?? null;
}

function oracleDecide(caller: OracleCaller, purpose: string, field: Classification, facts: Facts): Verdict {
  const { category } = field;
  // Non-personal (system.*) data is never redacted.
  if (!isPersonal(category)) return ALLOW;
  // 1. tenant isolation
  if (facts.tenant !== caller.tenant) return deny('TENANT');
  // 2. a role grants the category for the purpose
  const grants = PACK.grants.filter(
    (g) => caller.roles.includes(g.role as Role) && g.categories.some((c) => covers(c, category)) && g.purposes.some((p) => covers(p, purpose)),
  );
  if (grants.length === 0) return deny('ROLE');
  // 3. the field allows the purpose
  if (!field.purposes.some((p) => covers(p, purpose))) return deny('PURPOSE');
  // 4. the subject's own data is always theirs to see
  if (facts.subject === caller.subject) return ALLOW;
  // ... otherwise an `own`-scoped grant does not reach it
  if (!grants.some((g) => g.scope === 'tenant')) return deny('ROLE');
  // The subject's state: no account, or an erased one, means nothing leaves.
  const subject = USERS.get(keyOf(facts.tenant, facts.subject));
  if (!subject || subject.erasure !== 'ACTIVE') return deny('ERASED');
  // 5. restriction / objection (not against a legal obligation)
  const legal = covers(LEGAL_OBLIGATION, purpose);
  if (!legal && subject.restricted) return deny('RESTRICTED');
  const training = PACK.trainingPurposes.some((p) => covers(p, purpose));
  if (!legal && subject.objections.some((o) => covers(o, purpose) || (training && o === 'train_ai_system'))) return deny('OBJECTED');
  // 6. consent for purposes that need it, under the current version of that purpose's terms
  const rule = consentRuleOf(purpose);
  if (rule) {
    const latest = LATEST_CONSENT.get(`${keyOf(facts.tenant, facts.subject)}\u0000${rule.purpose}`);
    if (!latest || latest.status !== 'GRANTED' || latest.policyVersion !== rule.version) return deny('CONSENT');
  }
  // 7. retention window
  const days = retentionDaysOf(category);
  if (days !== null && facts.timestamp !== null && NOW - facts.timestamp.getTime() > days * DAY) return deny('RETENTION');
  // 8. pack rules: minors, training eligibility (model-improvement opt-out)
  // An unknown age cannot be shown to be an adult's: it counts as a minor's.
  if (PACK.minorRestrictedPurposes.some((p) => covers(p, purpose)) && (subject.birthDate === null || ageOn(subject.birthDate, new Date(NOW)) < PACK.minorsAge)) {
    return deny('MINOR');
  }
  if (training && facts.optedOut) return deny('OPTED_OUT');
  return ALLOW;
}

/** The reason a response shows for a precise one (API.md "Governance in responses"). */
function shownReason(caller: OracleCaller, purpose: string, reason: string, subject: string): string {
  const category = STATE_REASON_CATEGORY[reason];
  if (category === undefined || subject === caller.subject) return reason;
  const granted = PACK.grants.some(
    (g) => g.scope === 'tenant' && caller.roles.includes(g.role as Role) && g.categories.some((c) => covers(c, category)) && g.purposes.some((p) => covers(p, purpose)),
  );
  return granted ? reason : 'WITHHELD';
}

/** Purpose check before execution (API.md "Caller"). */
function oracleRejection(caller: OracleCaller, claim: string[] | null, declared: string | null): { purpose: string; rejected: string | null } {
  const purpose = declared?.trim() || caller.roles.map((r) => ROLE_DEFAULT_PURPOSE[r]).find((p) => p !== undefined) || FALLBACK_PURPOSE;
  if (!ORACLE_PURPOSES.includes(purpose)) return { purpose, rejected: 'BAD_USER_INPUT' };
  const grantable = PACK.grants.filter((g) => caller.roles.includes(g.role as Role)).flatMap((g) => g.purposes);
  if (!grantable.some((p) => covers(p, purpose))) return { purpose, rejected: 'PURPOSE_NOT_ALLOWED' };
  // docs/contract.md "Purposes": a claimed purpose covers its children, except a child the pack asks
  // another consent for than the claimed purpose's own (first-party training does not admit third-party).
  const claimCovers = (p: string): boolean => covers(p, purpose) && (consentRuleOf(p) === undefined || consentRuleOf(p)?.purpose === consentRuleOf(purpose)?.purpose);
  if (claim && !claim.some(claimCovers)) return { purpose, rejected: 'PURPOSE_NOT_ALLOWED' };
  return { purpose, rejected: null };
}

// ---------------------------------------------------------------------------------------------
// Queries and the expected response.
// ---------------------------------------------------------------------------------------------

const USER_SCALARS = ['id', 'displayName', 'email', 'phone', 'birthDate', 'country', 'createdAt'] as const;
type UserScalar = (typeof USER_SCALARS)[number];
const CONVERSATION_SCALARS = ['id', 'title', 'createdAt'] as const;
type ConversationScalar = (typeof CONVERSATION_SCALARS)[number];
const MESSAGE_FIELDS = ['id', 'role', 'content', 'createdAt'] as const;
type MessageField = (typeof MESSAGE_FIELDS)[number];

interface ConversationSelection {
  scalars: ConversationScalar[];
  owner: UserScalar[] | null;
  messages: MessageField[] | null;
}
interface UserSelection {
  scalars: UserScalar[];
  conversations: ConversationSelection | null;
}
type Query =
  | { kind: 'me'; selection: UserSelection }
  | { kind: 'user'; id: string; selection: UserSelection }
  | { kind: 'users'; selection: UserSelection }
  | { kind: 'conversation'; id: string; selection: ConversationSelection };

const printConversation = (s: ConversationSelection): string =>
  `{ ${[...s.scalars, ...(s.owner ? [`owner { ${s.owner.join(' ')} }`] : []), ...(s.messages ? [`messages { ${s.messages.join(' ')} }`] : [])].join(' ')} }`;
const printUser = (s: UserSelection): string =>
  `{ ${[...s.scalars, ...(s.conversations ? [`conversations ${printConversation(s.conversations)}`] : [])].join(' ')} }`;

function printQuery(q: Query): { query: string; variables: Record<string, string> } {
  switch (q.kind) {
    case 'me':
      return { query: `query PropMe { me ${printUser(q.selection)} }`, variables: {} };
    case 'user':
      return { query: `query PropUser($id: ID!) { user(id: $id) ${printUser(q.selection)} }`, variables: { id: q.id } };
    case 'users':
      return { query: `query PropUsers { users(first: 10) { edges { node ${printUser(q.selection)} } } }`, variables: {} };
    case 'conversation':
      return { query: `query PropConversation($id: ID!) { conversation(id: $id) ${printConversation(q.selection)} }`, variables: { id: q.id } };
  }
}

type Path = (string | number)[];
interface ExpectedRedaction {
  path: Path;
  category: string;
  reason: string;
  strategy: string;
}

/** A redacted value whose exact form the oracle does not fix: it checks what the form reveals. */
class Redacted {
  constructor(
    readonly strategy: string,
    readonly raw: string,
    readonly tenant: string,
    readonly check: (actual: unknown) => string | null,
  ) {}
}

const digitsOf = (s: string): string => s.replace(/\D/g, '');

function redactedForm(field: Classification, raw: string | null, tenant: string): unknown {
  if (raw === null) return null;
  const notRaw = (actual: unknown): string | null => (actual === raw ? 'equals the raw value' : null);
  switch (field.strategy) {
    case 'null':
      return null;
    case 'hash':
      return new Redacted('hash', raw, tenant, (a) => notRaw(a) ?? (typeof a === 'string' && /^h_[A-Za-z0-9_-]{22}$/.test(a) ? null : 'is not a keyed pseudonym h_<22>'));
    case 'mask':
      if (field.category.startsWith('user.contact.email')) {
        const domain = raw.slice(raw.lastIndexOf('@'));
        return new Redacted('mask', raw, tenant, (a) =>
          notRaw(a) ?? (typeof a === 'string' && a.endsWith(domain) && /^[^@]?\*+$/.test(a.slice(0, -domain.length)) ? null : 'is not an email mask'),
        );
      }
      if (field.category.startsWith('user.contact.phone_number')) {
        return new Redacted('mask', raw, tenant, (a) =>
          notRaw(a) ??
          (typeof a === 'string' && a.length === raw.length && digitsOf(a) === digitsOf(raw).slice(-2) && a.replace(/\*/g, '0').replace(/\d/g, '0') === raw.replace(/\d/g, '0')
            ? null
            : 'is not a phone mask keeping only the last two digits'),
        );
      }
      return new Redacted('mask', raw, tenant, (a) => notRaw(a) ?? (typeof a === 'string' && /^.?\*+$/u.test(a) ? null : 'is not a generic mask'));
    case 'generalize':
      return new Redacted('generalize', raw, tenant, (a) => notRaw(a) ?? (a === `${raw.slice(0, 4)}-01-01` ? null : 'is not the year of the date'));
    case 'truncate':
      return new Redacted('truncate', raw, tenant, (a) =>
        notRaw(a) ??
        (typeof a === 'string' && a.endsWith('…') && raw.startsWith(a.slice(0, -1)) && a.length - 1 <= Math.floor(raw.length / 3) ? null : 'is not a short truncation'),
      );
    default:
      throw new Error(`oracle: no redacted scalar form for strategy ${field.strategy} (${field.coordinate})`);
  }
}

const dateOnly = (d: Date | null): string | null => (d ? d.toISOString().slice(0, 10) : null);

class Expectation {
  readonly redactions: ExpectedRedaction[] = [];
  /** Raw strings the oracle withholds somewhere in this response. */
  readonly withheld = new Set<string>();
  /** Raw strings the oracle lets through somewhere in this response. */
  readonly released = new Set<string>();
  touched = false;

  constructor(
    readonly caller: OracleCaller,
    readonly purpose: string,
  ) {}

  private decide(coordinate: string, facts: Facts): { field: Classification; verdict: Verdict } {
    const field = classified(coordinate);
    if (isPersonal(field.category)) this.touched = true;
    return { field, verdict: oracleDecide(this.caller, this.purpose, field, facts) };
  }

  /** Precise reasons of this response's redactions, as the audit keeps them. */
  readonly preciseReasons: string[] = [];

  private withhold(field: Classification, reason: string, path: Path, subject: string): void {
    this.preciseReasons.push(reason);
    this.redactions.push({ path, category: field.category, reason: shownReason(this.caller, this.purpose, reason, subject), strategy: field.strategy });
  }

  scalar(coordinate: string, raw: string | null, facts: Facts, path: Path): unknown {
    const { field, verdict } = this.decide(coordinate, facts);
    if (verdict.allow) {
      if (raw !== null) this.released.add(raw);
      return raw;
    }
    this.withhold(field, verdict.reason, path, facts.subject);
    if (raw !== null) this.withheld.add(raw);
    return redactedForm(field, raw, facts.tenant);
  }

  user(u: SeedUser, s: UserSelection, path: Path): Record<string, unknown> {
    const facts: Facts = { tenant: u.tenant, subject: u.subject, timestamp: u.createdAt, optedOut: false };
    const raw: Record<UserScalar, string | null> = {
      id: u.subject,
      displayName: u.displayName,
      email: u.email,
      phone: u.phone,
      birthDate: dateOnly(u.birthDate),
      country: u.country,
      createdAt: u.createdAt.toISOString(),
    };
    const out: Record<string, unknown> = {};
    for (const f of s.scalars) out[f] = this.scalar(`User.${f}`, raw[f], facts, [...path, f]);
    if (s.conversations) {
      const conversations = SEED.conversations.filter((c) => c.tenant === u.tenant && c.owner === u.subject).sort(byId);
      // The list of a user's conversations is as old as its conversations, not as the account: the
      // pack's conversation retention (003 §6, 90 days) is judged per conversation, on its own fields.
      const { field, verdict } = this.decide('User.conversations', { ...facts, timestamp: null });
      if (verdict.allow) {
        out.conversations = conversations.map((c, i) => this.conversation(c, s.conversations!, [...path, 'conversations', i]));
      } else {
        this.withhold(field, verdict.reason, [...path, 'conversations'], facts.subject);
        for (const c of conversations) this.withholdConversation(c);
        out.conversations = [];
      }
    }
    return out;
  }

  private withholdConversation(c: SeedConversation): void {
    this.withheld.add(c._id);
    this.withheld.add(c.title);
    for (const m of SEED.messages.filter((m) => m.conversationId === c._id)) this.withholdMessage(m);
  }

  private withholdMessage(m: SeedMessage): void {
    this.withheld.add(m._id);
    this.withheld.add(m.content);
  }

  conversation(c: SeedConversation, s: ConversationSelection, path: Path): Record<string, unknown> {
    const facts: Facts = { tenant: c.tenant, subject: c.owner, timestamp: c.createdAt, optedOut: c.mipOptOut };
    const raw: Record<ConversationScalar, string> = { id: c._id, title: c.title, createdAt: c.createdAt.toISOString() };
    const out: Record<string, unknown> = {};
    for (const f of s.scalars) out[f] = this.scalar(`Conversation.${f}`, raw[f], facts, [...path, f]);
    if (s.owner) {
      const { field, verdict } = this.decide('Conversation.owner', facts);
      if (verdict.allow) {
        const owner = USERS.get(keyOf(c.tenant, c.owner));
        out.owner = owner ? this.user(owner, { scalars: s.owner, conversations: null }, [...path, 'owner']) : null;
      } else {
        this.withhold(field, verdict.reason, [...path, 'owner'], facts.subject);
        this.withheld.add(c.owner);
        out.owner = null;
      }
    }
    if (s.messages) {
      const messages = SEED.messages.filter((m) => m.conversationId === c._id).sort(byId);
      // A list is not aged by its parent: each message's own fields judge retention on its own date.
      const { field, verdict } = this.decide('Conversation.messages', { ...facts, timestamp: null });
      if (verdict.allow) {
        out.messages = messages.map((m, i) => this.message(m, s.messages!, [...path, 'messages', i]));
      } else {
        this.withhold(field, verdict.reason, [...path, 'messages'], facts.subject);
        for (const m of messages) this.withholdMessage(m);
        out.messages = [];
      }
    }
    return out;
  }

  message(m: SeedMessage, s: MessageField[], path: Path): Record<string, unknown> {
    const facts: Facts = { tenant: m.tenant, subject: m.owner, timestamp: m.createdAt, optedOut: m.mipOptOut };
    const raw: Record<MessageField, string> = { id: m._id, role: m.role, content: m.content, createdAt: m.createdAt.toISOString() };
    const out: Record<string, unknown> = {};
    for (const f of s) out[f] = this.scalar(`Message.${f}`, raw[f], facts, [...path, f]);
    return out;
  }
}

function expectedData(q: Query, e: Expectation): Record<string, unknown> {
  const { tenant, subject } = e.caller;
  switch (q.kind) {
    case 'me': {
      const u = USERS.get(keyOf(tenant, subject));
      return { me: u ? e.user(u, q.selection, ['me']) : null };
    }
    case 'user': {
      const u = USERS.get(keyOf(tenant, q.id));
      return { user: u ? e.user(u, q.selection, ['user']) : null };
    }
    case 'users': {
      const page = SEED.users.filter((u) => u.tenant === tenant).sort(byId).slice(0, 10);
      return { users: { edges: page.map((u, i) => ({ node: e.user(u, q.selection, ['users', 'edges', i, 'node']) })) } };
    }
    case 'conversation': {
      const c = SEED.conversations.find((x) => x._id === q.id && x.tenant === tenant);
      return { conversation: c ? e.conversation(c, q.selection, ['conversation']) : null };
    }
  }
}

/** Pseudonyms seen so far: stable per (tenant, subject), distinct between subjects. */
const pseudonyms = new Map<string, string>();
const pseudonymOwners = new Map<string, string>();

function compare(expected: unknown, actual: unknown, path: Path, problems: string[]): void {
  const at = path.join('.') || '<root>';
  if (expected instanceof Redacted) {
    const problem = expected.check(actual);
    if (problem) problems.push(`${at}: redacted (${expected.strategy}) value ${JSON.stringify(actual)} ${problem}`);
    if (expected.strategy === 'hash' && typeof actual === 'string') {
      const key = keyOf(expected.tenant, expected.raw);
      const known = pseudonyms.get(key);
      if (known !== undefined && known !== actual) problems.push(`${at}: pseudonym of ${expected.raw} changed from ${known} to ${actual}`);
      const owner = pseudonymOwners.get(actual);
      if (owner !== undefined && owner !== key) problems.push(`${at}: pseudonym ${actual} is shared by two subjects`);
      pseudonyms.set(key, actual);
      pseudonymOwners.set(actual, key);
    }
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      problems.push(`${at}: expected a list of ${expected.length}, got ${JSON.stringify(actual)}`);
      return;
    }
    expected.forEach((item, i) => compare(item, actual[i], [...path, i], problems));
    return;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) {
      problems.push(`${at}: expected an object, got ${JSON.stringify(actual)}`);
      return;
    }
    const actualObject = actual as Record<string, unknown>;
    const keys = new Set([...Object.keys(expected), ...Object.keys(actualObject)]);
    for (const key of keys) {
      if (!(key in expected)) problems.push(`${at}.${key}: unexpected key`);
      else if (!(key in actualObject)) problems.push(`${at}.${key}: missing`);
      else compare((expected as Record<string, unknown>)[key], actualObject[key], [...path, key], problems);
    }
    return;
  }
  if (expected !== actual) problems.push(`${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

const redactionKey = (r: ExpectedRedaction): string => JSON.stringify([r.path, r.category, r.reason, r.strategy]);

// ---------------------------------------------------------------------------------------------
// Arbitraries.
// ---------------------------------------------------------------------------------------------

const UNKNOWN_PURPOSES = ['train_ai', 'essential.services', 'Essential.Service', 'analytics.reporting.daily', 'user', 'gdpr'];
const TAXONOMY_PURPOSES = [...PURPOSES].sort();

const grantablePurposes = (roles: readonly Role[]): string[] => {
  const granted = PACK.grants.filter((g) => roles.includes(g.role as Role)).flatMap((g) => g.purposes);
  return TAXONOMY_PURPOSES.filter((p) => granted.some((g) => covers(g, p)));
};

const rolesArb: fc.Arbitrary<Role[]> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...ROLES).map((r): Role[] => [r]) },
  { weight: 2, arbitrary: fc.shuffledSubarray([...ROLES], { minLength: 2, maxLength: 3 }) },
  { weight: 1, arbitrary: fc.shuffledSubarray([...ROLES], { minLength: 1 }) },
);

/**
 * Most requests declare nothing or a purpose the roles are granted (so they run and their values
 * are checked); some declare any taxonomy purpose or an unknown one, and some carry a token
 * `purposes` claim that may or may not include the purpose (so rejections are checked too).
 */
interface CallerCase {
  tenant: Tenant;
  subject: string;
  roles: Role[];
  claim: string[] | null;
  declared: string | null;
  mipOptOut: boolean;
}

const callerFor = (roles: Role[]): fc.Arbitrary<CallerCase> => {
  const granted = grantablePurposes(roles);
  const declaredArb = fc.oneof(
    { weight: 3, arbitrary: fc.constant(null) },
    { weight: 6, arbitrary: granted.length > 0 ? fc.constantFrom(...granted) : fc.constant(null) },
    { weight: 1, arbitrary: fc.constantFrom(...TAXONOMY_PURPOSES) },
    { weight: 1, arbitrary: fc.constantFrom(...UNKNOWN_PURPOSES) },
  );
  return declaredArb.chain((declared): fc.Arbitrary<CallerCase> => {
    const effective = declared ?? roles.map((r) => ROLE_DEFAULT_PURPOSE[r]).find((p) => p !== undefined) ?? FALLBACK_PURPOSE;
    /** Token `purposes` claim: absent (any purpose the roles are granted), one naming the purpose (or a parent), or any list. */
    const claimArb = fc.oneof(
      { weight: 6, arbitrary: fc.constant(null) },
      { weight: 2, arbitrary: fc.subarray(ancestorsOf(effective), { minLength: 1 }).chain((own) => fc.subarray(TAXONOMY_PURPOSES, { maxLength: 2 }).map((extra) => [...own, ...extra])) },
      { weight: 1, arbitrary: fc.subarray(TAXONOMY_PURPOSES, { maxLength: 3 }) },
    );
    return fc.record({
      tenant: fc.constantFrom(...TENANTS),
      subject: fc.constantFrom(...ALL_SUBJECTS),
      roles: fc.constant(roles),
      claim: claimArb,
      declared: fc.constant(declared),
      mipOptOut: fc.boolean(),
    });
  });
};

const callerArb = rolesArb.chain(callerFor);

/**
 * One document, sent by one to three callers. Callers sharing a role set but differing in purpose,
 * subject or tenant hit the same cached plan (plan cache key: document × roles × purpose).
 */
const callersArb: fc.Arbitrary<CallerCase[]> = fc.oneof(
  { weight: 2, arbitrary: callerArb.map((c) => [c]) },
  { weight: 2, arbitrary: rolesArb.chain((roles) => fc.array(callerFor(roles), { minLength: 2, maxLength: 3 })) },
  { weight: 1, arbitrary: fc.array(callerArb, { minLength: 2, maxLength: 3 }) },
);

const userScalarsArb = fc.subarray([...USER_SCALARS]);
const conversationSelectionArb = fc
  .record({
    scalars: fc.subarray([...CONVERSATION_SCALARS]),
    owner: fc.option(fc.subarray([...USER_SCALARS], { minLength: 1 }), { nil: null }),
    messages: fc.option(fc.subarray([...MESSAGE_FIELDS], { minLength: 1 }), { nil: null }),
  })
  .filter((s) => s.scalars.length > 0 || s.owner !== null || s.messages !== null);
const userSelectionArb = fc
  .record({ scalars: userScalarsArb, conversations: fc.option(conversationSelectionArb, { nil: null }) })
  .filter((s) => s.scalars.length > 0 || s.conversations !== null);

const queryArb: fc.Arbitrary<Query> = fc.oneof(
  fc.record({ kind: fc.constant('me' as const), selection: userSelectionArb }),
  fc.record({ kind: fc.constant('user' as const), id: fc.constantFrom(...ALL_SUBJECTS, MISSING_USER_ID), selection: userSelectionArb }),
  fc.record({ kind: fc.constant('users' as const), selection: userSelectionArb }),
  fc.record({ kind: fc.constant('conversation' as const), id: fc.constantFrom(...ALL_CONVERSATION_IDS), selection: conversationSelectionArb }),
);

// ---------------------------------------------------------------------------------------------
// The property.
// ---------------------------------------------------------------------------------------------

let t: TestGateway;
const stats = { runs: 0, requests: 0, rejected: 0, redactions: 0, released: 0, isolationPairs: 0, reasons: new Map<string, number>() };

beforeAll(async () => {
  t = await startTestGateway({ name: import.meta.url, env: { POLICY_PACK: 'deepailab', POLICY_DIR: await rowLevelAnalysts() } });
  await Promise.all([
    // Users and consents through their models, so they are sealed (timestamps as seeded); the
    // rest raw, with their ids and dates as they are.
    userModel(t.connection).insertMany(SEED.users as never[], { timestamps: false }),
    conversationModel(t.connection).collection.insertMany((await encrypted(t.connection, 'conversations', SEED.conversations as never[])) as never[]),
    messageModel(t.connection).collection.insertMany((await encrypted(t.connection, 'messages', SEED.messages as never[])) as never[]),
    consentModel(t.connection).insertMany(SEED.consents as never[]),
  ]);
  // The classification the oracle decides on, as the schema publishes it (API.md `dataMap`).
  const res = await t.post({ query: '{ dataMap { type field category purposes strategy } }' }, { token: await t.token('t1-ada', 't1', ['user']) });
  const body = (await res.json()) as { data: { dataMap: { type: string; field: string; category: string; purposes: string[]; strategy: string }[] } };
  CLASSIFICATION = new Map(body.data.dataMap.map((e) => [`${e.type}.${e.field}`, { coordinate: `${e.type}.${e.field}`, category: e.category, purposes: e.purposes, strategy: e.strategy }]));
}, 120_000);
afterAll(() => t?.close());

async function call(token: string, q: Query, headers: Record<string, string>): Promise<{ status: number; text: string; body: Record<string, unknown> }> {
  const response = await t.post(printQuery(q), { token, headers });
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) as Record<string, unknown> };
}

/** Sends the query as this caller and checks the response against the oracle; returns the problems. */
async function checkOne(c: CallerCase, q: Query): Promise<string[]> {
  const caller: OracleCaller = { tenant: c.tenant, subject: c.subject, roles: c.roles };
  const token = await t.token(c.subject, c.tenant, c.roles, c.claim ?? undefined);
  const headers: Record<string, string> = { ...(c.declared !== null ? { 'x-purpose': c.declared } : {}), ...(c.mipOptOut ? { 'x-mip-opt-out': 'true' } : {}) };
  const res = await call(token, q, headers);
  const problems: string[] = [];
  const otherTenant: Tenant = c.tenant === 't1' ? 't2' : 't1';

  // (c) never another tenant's canary, e-mail, phone, name, title or id
  for (const secret of SECRETS[otherTenant]) if (res.text.includes(secret)) problems.push(`response contains ${otherTenant}'s ${JSON.stringify(secret)}`);

  // (a) rejected before execution exactly when the oracle says so
  const { purpose, rejected } = oracleRejection(caller, c.claim, c.declared);
  const errors = res.body.errors as { extensions?: { code?: string } }[] | undefined;
  if (rejected) {
    stats.rejected += 1;
    const code = errors?.[0]?.extensions?.code;
    if (code !== rejected) problems.push(`expected rejection ${rejected}, got ${code ?? 'none'} (status ${res.status})`);
    if (res.body.data !== undefined && res.body.data !== null) problems.push(`rejected request returned data ${JSON.stringify(res.body.data)}`);
    if (res.status !== (rejected === 'BAD_USER_INPUT' ? 400 : 403)) problems.push(`rejection ${rejected} answered with HTTP ${res.status}`);
    for (const secret of SECRETS[c.tenant]) if (res.text.includes(secret)) problems.push(`rejected response contains ${JSON.stringify(secret)}`);
  } else {
    if (errors?.length) problems.push(`unexpected errors ${JSON.stringify(errors)}`);
    if (res.status !== 200) problems.push(`HTTP ${res.status}`);

    // (b) every value: allowed ⇒ raw; forbidden ⇒ null / dropped / redacted form + a redaction entry
    const e = new Expectation(caller, purpose);
    const expected = expectedData(q, e);
    compare(expected, res.body.data, [], problems);
    const governance = (res.body.extensions as { governance?: { auditId?: unknown; redactions?: ExpectedRedaction[] } } | undefined)?.governance;
    if (e.touched) {
      if (typeof governance?.auditId !== 'string') problems.push('personal data touched but no extensions.governance.auditId');
      const actual = (governance?.redactions ?? []).map(redactionKey).sort();
      const wanted = e.redactions.map(redactionKey).sort();
      for (const r of wanted.filter((k) => !actual.includes(k))) problems.push(`missing redaction entry ${r}`);
      for (const r of actual.filter((k) => !wanted.includes(k))) problems.push(`unexpected redaction entry ${r}`);
      for (const r of governance?.redactions ?? []) if (!API_REASONS.includes(r.reason) || r.reason === 'TENANT') problems.push(`bad reason ${r.reason}`);
    } else if (governance !== undefined && (governance.redactions?.length ?? 0) > 0) {
      problems.push(`redactions without personal data: ${JSON.stringify(governance.redactions)}`);
    }
    // (c) no withheld raw value anywhere in the response (unless the oracle releases it elsewhere);
    // short values (two-letter countries) are only checked field by field above.
    for (const raw of e.withheld) if (raw.length >= 6 && !e.released.has(raw) && res.text.includes(raw)) problems.push(`response contains withheld raw value ${JSON.stringify(raw)}`);
    stats.redactions += e.redactions.length;
    stats.released += e.released.size;
    // Coverage counts the precise reasons (most state reasons are WITHHELD from every role but the subject).
    for (const reason of [...e.preciseReasons, ...e.redactions.filter((r) => r.reason === 'WITHHELD').map((r) => r.reason)]) {
      stats.reasons.set(reason, (stats.reasons.get(reason) ?? 0) + 1);
    }

    // (d) another tenant's id answers exactly like a missing one
    const foreign =
      (q.kind === 'user' && SEED.users.some((u) => u.subject === q.id && u.tenant === otherTenant)) ||
      (q.kind === 'conversation' && SEED.conversations.some((x) => x._id === q.id && x.tenant === otherTenant));
    if (foreign) {
      stats.isolationPairs += 1;
      const missing = await call(token, { ...q, id: q.kind === 'user' ? MISSING_USER_ID : MISSING_CONVERSATION_ID } as Query, headers);
      if (missing.status !== res.status || missing.text !== res.text) problems.push(`foreign id answered ${res.status} ${res.text}, missing id ${missing.status} ${missing.text}`);
    }
  }
  stats.requests += 1;
  return problems.map((p) => `${JSON.stringify(c)} (purpose ${purpose}): ${p}`);
}

describe('governance property', () => {
  it('the oracle and the gateway agree on their inputs', () => {
    // The oracle's purposes (DESIGN.md) are the taxonomy the arbitraries draw from.
    expect([...ORACLE_PURPOSES]).toEqual(TAXONOMY_PURPOSES);
    expect(t.gateway.pack.version).toBe(PACK.version);
    // Every value the oracle treats as personal data is classified as such.
    for (const coordinate of ['User.id', 'User.displayName', 'User.email', 'User.phone', 'User.birthDate', 'User.country', 'User.conversations', 'Conversation.title', 'Conversation.owner', 'Conversation.messages', 'Message.content']) {
      expect(classified(coordinate).category, coordinate).toMatch(/^user\./);
    }
    for (const coordinate of ['User.createdAt', 'Conversation.id', 'Conversation.createdAt', 'Message.id', 'Message.role', 'Message.createdAt']) {
      expect(classified(coordinate).category, coordinate).toMatch(/^system(\.|$)/);
    }
    // Seeded subject states are what the profiles say.
    expect(ageOn(USERS.get(keyOf('t1', 't1-kid'))!.birthDate!, new Date(NOW))).toBe(16);
    expect(LATEST_CONSENT.get(`${keyOf('t1', 't1-wdr')}\u0000train_ai_system`)?.status).toBe('WITHDRAWN');
  });

  it(`returns no value the decision table forbids and no other tenant's data (${NUM_RUNS} random cases)`, async () => {
    const property = fc.asyncProperty(callersArb, queryArb, async (callers, q) => {
      const problems: string[] = [];
      // In sequence: later callers reuse the plan the first one cached.
      for (const c of callers) problems.push(...(await checkOne(c, q)));
      stats.runs += 1;
      if (problems.length > 0) {
        throw new Error(`governance violation\nquery: ${JSON.stringify(printQuery(q))}\n${problems.map((p) => `  - ${p}`).join('\n')}`);
      }
    });
    const replay = process.env.FC_SEED ? { seed: Number(process.env.FC_SEED), ...(process.env.FC_PATH ? { path: process.env.FC_PATH } : {}) } : {};
    await fc.assert(property, { numRuns: NUM_RUNS, ...replay });
    if (process.env.FC_STATS) console.error(JSON.stringify({ ...stats, reasons: Object.fromEntries(stats.reasons) }));
    // The random cases did reach every branch of the table worth reaching.
    expect(stats.rejected).toBeGreaterThan(0);
    expect(stats.isolationPairs).toBeGreaterThan(0);
    if (NUM_RUNS >= 1000) {
      for (const reason of ['ROLE', 'PURPOSE', 'CONSENT', 'RESTRICTED', 'OBJECTED', 'RETENTION', 'MINOR', 'OPTED_OUT', 'ERASED', 'WITHHELD']) {
        expect(stats.reasons.get(reason) ?? 0, `reason ${reason} never exercised`).toBeGreaterThan(0);
      }
    }
  }, 600_000);
});
