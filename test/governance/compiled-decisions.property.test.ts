/**
 * The request path's compiled decisions (plans of compiled fields, subject gates remembered per
 * subject and gate class, decisions recorded by plan slot) against the reference decision order:
 * random packs, callers, purposes, fields, subject states and values, decided by RequestGovernance
 * concurrently (loads resolve in an order fast-check picks) and, one by one, by decide.ts's
 * `decideWithoutState` then `decideWithState` on facts this test reads off the value itself.
 * Also checks what the audit event records: per field and outcome, the subjects it was taken for
 * (values and aggregates of one field alike, as the event always recorded them).
 *
 * Reproduce a failure: FC_SEED=<seed> FC_PATH=<path> npx vitest run test/governance/compiled-decisions.property.test.ts
 */
import fc from 'fast-check';
import { buildSchema, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { decisionsOf } from '../../src/audit/index.js';
import type { Caller, Role } from '../../src/auth/index.js';
import { decideWithoutState, decideWithState, staticVerdict, type ValueFacts } from '../../src/governance/decide.js';
import { createPolicyPack, loadPolicyPack, type PackFile, type PolicyPack } from '../../src/governance/packs/index.js';
import type { Pseudonymizer } from '../../src/governance/redact/index.js';
import { REGISTRY_KEY } from '../../src/governance/registry.js';
import type { ConsentState, GovernedField, Outcome, StaticVerdict, SubjectState, TypeGovernance } from '../../src/governance/types.js';
import { buildPlan } from '../../src/runtime/plan/index.js';
import { RequestGovernance } from '../../src/runtime/request-governance.js';

const NUM_RUNS = Number(process.env.FC_NUM_RUNS ?? 400);
const DAY = 86_400_000;
const NOW = new Date('2026-11-01T12:00:00.000Z');
const ago = (days: number): Date => new Date(NOW.getTime() - days * DAY);
const TENANT = 't1';
const SUBJECTS = ['s1', 's2', 's3', 's4'] as const;
const AGENTS = ['a1', 'a2'] as const;
const ROLE_CHOICES: readonly Role[] = ['user', 'support', 'analyst'];
const PURPOSES = ['essential.service', 'essential.service.operations.support', 'essential.legal_obligation', 'analytics.reporting', 'train_ai_system', 'functional.service.improve', 'marketing.communications'];
const PURPOSE_RULES = ['essential', 'essential.service', 'essential.legal_obligation', 'analytics', 'train_ai_system', 'functional', 'marketing'];
const CATEGORIES = ['user.contact.email', 'user.content', 'user.demographic.date_of_birth', 'user.privacy_preferences', 'user.account.username'];
const CATEGORY_RULES = ['user', 'user.contact', 'user.content', 'user.demographic', 'user.privacy_preferences', 'user.account'];
const SRC = 'test';
const TOP_PURPOSES = ['essential', 'analytics', 'train_ai_system', 'functional', 'marketing'];

const some = <T>(items: readonly T[], max = items.length) => fc.subarray([...items], { maxLength: max });

// ---------------------------------------------------------------------------------------------
// A random pack: the seed pack's file with every rule the decision reads drawn at random.
// ---------------------------------------------------------------------------------------------
const base = loadPolicyPack('deepailab').file;
const packRulesArb = fc
  .record({
    // Mostly wide grants: most values then reach the subject's gates.
    grants: fc.array(
      fc.record({
        role: fc.constantFrom(...ROLE_CHOICES),
        scope: fc.constantFrom('own' as const, 'tenant' as const, 'tenant' as const, 'tenant' as const),
        categories: fc.oneof(fc.constant(['user']), some(CATEGORY_RULES, 3)),
        purposes: fc.oneof(fc.constant(TOP_PURPOSES), some(PURPOSE_RULES, 3)),
      }),
      { minLength: 1, maxLength: 6 },
    ),
    wide: fc.boolean(),
    consent: some(['essential.service', 'analytics', 'train_ai_system', 'functional', 'marketing']).chain((ps) => fc.tuple(...ps.map((purpose) => fc.constantFrom('v1', 'v2').map((version) => ({ purpose, version, source: SRC }))))),
    retention: fc.uniqueArray(fc.record({ category: fc.constantFrom('user', ...CATEGORY_RULES), days: fc.constantFrom(30, 365), kind: fc.constantFrom('max' as const, 'max' as const, 'floor' as const) }), { maxLength: 3, selector: (r) => `${r.category}|${r.kind}` }),
    restricted: some(PURPOSE_RULES),
    guardian: fc.boolean(),
    band: fc.boolean(),
    training: some(['marketing', 'analytics']),
    aggregateOnly: fc.oneof({ weight: 3, arbitrary: fc.constant<Role[]>([]) }, { weight: 1, arbitrary: some(ROLE_CHOICES, 1) }),
    developerData: fc.option(fc.record({ categories: some(CATEGORY_RULES, 2).filter((c) => c.length > 0), support: fc.option(some(PURPOSE_RULES, 2).filter((p) => p.length > 0), { nil: undefined }) }), { nil: undefined }),
    privateContent: fc.option(some(CATEGORY_RULES, 2).filter((c) => c.length > 0), { nil: undefined }),
  });
type PackRules = typeof packRulesArb extends fc.Arbitrary<infer R> ? R : never;
const packOf = (r: PackRules): PolicyPack =>
    createPolicyPack({
      ...base,
      // `wide`: every role may also read everything for every purpose (then the subject's gates decide).
      grants: [...r.grants, ...(r.wide ? ROLE_CHOICES.map((role) => ({ role, scope: 'tenant', categories: ['user'], purposes: TOP_PURPOSES })) : [])],
      consent: r.consent,
      retention: r.retention.map((x) => ({ ...x, source: SRC })),
      minimumAge: { age: 13, source: SRC },
      guardian: r.guardian ? { mode: 'confirmed', belowAge: 16, source: SRC } : { mode: 'none', source: SRC },
      admittedBand: r.band ? { fromAge: 14, belowAge: 15, source: SRC } : undefined,
      minors: { age: 16, restrictedPurposes: r.restricted, source: SRC },
      trainingPurposes: r.training.map((purpose) => ({ purpose, source: SRC })),
      aggregateOnly: r.aggregateOnly.map((role) => ({ role, source: SRC })),
      developerData: r.developerData && { categories: r.developerData.categories, source: SRC, ...(r.developerData.support ? { support: { purposes: r.developerData.support, source: SRC } } : {}) },
      privateContent: r.privateContent && { categories: r.privateContent, source: SRC },
      fieldPurposes: [],
      endOfContract: undefined,
    } as unknown as PackFile);

// ---------------------------------------------------------------------------------------------
// Values: plain objects carrying their facts; each field's type has a random set of hooks.
// ---------------------------------------------------------------------------------------------
interface Value {
  subject: string | null;
  tenant: string;
  timestamp: Date | null;
  optedOut: boolean;
  agent: string | null;
  visibility: 'PRIVATE' | 'PUBLIC';
}
const hooksArb = fc.record({ timestamp: fc.boolean(), optedOut: fc.boolean(), agent: fc.boolean(), visibility: fc.boolean() });
type Hooks = typeof hooksArb extends fc.Arbitrary<infer H> ? H : never;

function typeOf(hooks: Hooks): TypeGovernance {
  return {
    subjectOf: (v) => (v as Value).subject,
    tenantOf: (v) => (v as Value).tenant,
    ...(hooks.timestamp ? { timestampOf: (v: unknown) => (v as Value).timestamp } : {}),
    ...(hooks.optedOut ? { optedOutOf: (v: unknown) => (v as Value).optedOut } : {}),
    ...(hooks.agent ? { developerDataOf: (v: unknown) => (v as Value).agent } : {}),
    ...(hooks.visibility ? { visibilityOf: (v: unknown) => (v as Value).visibility } : {}),
  };
}

const fieldSpecArb = fc.record({ category: fc.constantFrom(...CATEGORIES), purposes: fc.oneof(fc.constant(TOP_PURPOSES), some(PURPOSE_RULES, 3).filter((p) => p.length > 0)), list: fc.boolean(), hooks: hooksArb, selected: fc.boolean() });
type FieldSpec = typeof fieldSpecArb extends fc.Arbitrary<infer F> ? F : never;

const valueArb: fc.Arbitrary<Value> = fc.record({
  subject: fc.constantFrom(null, ...SUBJECTS, 'me'),
  tenant: fc.constantFrom(TENANT, TENANT, TENANT, 't2'),
  timestamp: fc.constantFrom(null, ago(1), ago(60), ago(400)),
  optedOut: fc.boolean(),
  agent: fc.constantFrom(null, ...AGENTS),
  visibility: fc.constantFrom('PRIVATE' as const, 'PUBLIC' as const),
});

// ---------------------------------------------------------------------------------------------
// Subject states.
// ---------------------------------------------------------------------------------------------
const consentArb = fc.record({ status: fc.constantFrom('GRANTED' as const, 'GRANTED' as const, 'WITHDRAWN' as const), policyVersion: fc.constantFrom('v1', 'v2') });
const stateArb: fc.Arbitrary<SubjectState> = fc
  .record({
    exists: fc.constantFrom(true, true, true, false),
    erased: fc.constantFrom(false, false, false, true),
    restricted: fc.constantFrom(false, false, true),
    objections: some(['analytics', 'marketing', 'train_ai_system', 'essential.legal_obligation'], 2),
    birthDate: fc.constantFrom(null, ago(10 * 365.25), ago(14.5 * 365.25), ago(15.5 * 365.25), ago(30 * 365.25)),
    guardianConsent: fc.boolean(),
    consents: fc.dictionary(fc.constantFrom('essential.service', 'analytics', 'train_ai_system', 'functional', 'marketing'), consentArb, { maxKeys: 4 }),
    optOutPeriods: fc.constantFrom([], [{ from: ago(100), until: ago(50) }], [{ from: ago(20), until: null }]),
    supportGrants: fc.dictionary(fc.constantFrom(...AGENTS), fc.constantFrom(new Date(NOW.getTime() + 3_600_000), new Date(NOW.getTime() - 3_600_000)), { maxKeys: 2 }),
  })
  .map((s) => ({
    ...s,
    consents: new Map(Object.entries(s.consents).map(([p, c]) => [p, { id: `c-${p}`, ...c } as ConsentState])),
    supportGrants: new Map(Object.entries(s.supportGrants)),
  }));

type Op =
  | { kind: 'value'; field: number; value: Value }
  | { kind: 'prefetch'; subjects: (string | null)[] }
  | { kind: 'aggregate'; field: number; subject: string };

const opArb = (fields: number): fc.Arbitrary<Op> =>
  fc.oneof(
    { weight: 8, arbitrary: fc.record({ kind: fc.constant('value' as const), field: fc.nat(fields - 1), value: valueArb }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('prefetch' as const), subjects: fc.array(fc.constantFrom(null, ...SUBJECTS, 'me'), { maxLength: 4 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('aggregate' as const), field: fc.nat(fields - 1), subject: fc.constantFrom(...SUBJECTS) }) },
  );

const caseArb = fc
  .record({
    rules: packRulesArb,
    roles: some(ROLE_CHOICES, 2).filter((r) => r.length > 0),
    callerSubject: fc.constantFrom('me', 's1'),
    purpose: fc.constantFrom(...PURPOSES),
    fields: fc.array(fieldSpecArb, { minLength: 1, maxLength: 6 }),
    states: fc.record(Object.fromEntries([...SUBJECTS, 'me'].map((s) => [s, stateArb])) as Record<string, fc.Arbitrary<SubjectState>>),
  })
  .chain((c) => fc.record({ ops: fc.array(opArb(c.fields.length), { minLength: 1, maxLength: 30 }) }).map((o) => ({ ...c, ...o })));

/** Each field its own type `T<i>` with one field `f`: a real schema and document for buildPlan. */
function governedFields(specs: readonly FieldSpec[]): GovernedField[] {
  return specs.map((spec, i) =>
    Object.freeze({
      coordinate: `T${i}.f`,
      typeName: `T${i}`,
      fieldName: 'f',
      governance: { category: spec.category, purposes: spec.purposes, strategy: 'null' as const },
      personal: true,
      nullable: true,
      list: spec.list,
      type: typeOf(spec.hooks),
    }),
  );
}

function planFor(fields: readonly GovernedField[], specs: readonly FieldSpec[], caller: Caller, purpose: string, pack: PolicyPack) {
  const schema = buildSchema(`type Query { ${fields.map((_, i) => `t${i}: T${i}`).join(' ')} }\n${fields.map((f, i) => `type T${i} { f: ${f.list ? '[String]' : 'String'} }`).join('\n')}`);
  (schema.extensions as Record<string, unknown>)[REGISTRY_KEY] = new Map(fields.map((f) => [f.coordinate, f]));
  // Fields not selected are decided anyway: the plan did not see them (should not happen; must still decide right).
  const selected = fields.map((_, i) => i).filter((i) => specs[i]!.selected);
  const document = parse(`{ __typename ${selected.map((i) => `t${i} { f }`).join(' ')} }`);
  return buildPlan(schema, document, caller, purpose, pack);
}

/** The reference: decide.ts's two halves on the value's facts, read here. */
function expected(field: GovernedField, value: Value, caller: Caller, purpose: string, pack: PolicyPack, states: Record<string, SubjectState>): Outcome {
  const t = field.type;
  const facts: ValueFacts = {
    subject: value.subject,
    tenant: value.tenant,
    timestamp: field.list ? null : (t.timestampOf?.(value) ?? null),
    optedOut: t.optedOutOf?.(value) ?? false,
    agent: t.developerDataOf?.(value) ?? null,
    private: t.visibilityOf !== undefined && t.visibilityOf(value) === 'PRIVATE',
  };
  const verdict = staticVerdict(field, caller, purpose, pack);
  const early = decideWithoutState(verdict, caller, facts);
  if (early) return early;
  return decideWithState(verdict as Extract<StaticVerdict, { kind: 'grant' }>, purpose, pack, facts, states[value.subject!]!, NOW);
}

function expectedAggregate(field: GovernedField, subject: string, caller: Caller, purpose: string, pack: PolicyPack, states: Record<string, SubjectState>): Outcome {
  const verdict = staticVerdict(field, caller, purpose, pack, 'aggregate');
  const facts: ValueFacts = { subject, tenant: TENANT, timestamp: null, optedOut: false };
  return decideWithoutState(verdict, caller, facts) ?? decideWithState(verdict as Extract<StaticVerdict, { kind: 'grant' }>, purpose, pack, facts, states[subject]!, NOW);
}

const NO_CONSENTS: ReadonlyMap<string, ConsentState> = new Map();

describe('compiled decisions (request path) equal the reference decision order', () => {
  it('for every value, every load order, and in what the audit event records', async () => {
    const replay = process.env.FC_SEED ? { seed: Number(process.env.FC_SEED), ...(process.env.FC_PATH ? { path: process.env.FC_PATH } : {}) } : {};
    await fc.assert(
      fc.asyncProperty(caseArb, fc.scheduler(), async (c, s) => {
        const pack = packOf(c.rules);
        const caller: Caller = { authenticated: true, subject: c.callerSubject, tenant: TENANT, roles: c.roles, purposes: null };
        const fields = governedFields(c.fields);
        const gov = new RequestGovernance({ caller, purpose: c.purpose, pack: pack, pseudonymizer: {} as Pseudonymizer, now: NOW });
        // A load without consents has none (subject-state.ts): a decision that needs them must not use it.
        const load = (subject: string, withConsents: boolean): Promise<SubjectState> => {
          const state = c.states[subject]!;
          return s.schedule(Promise.resolve(withConsents ? state : { ...state, consents: NO_CONSENTS }), `load ${subject}${withConsents ? '+consents' : ''}`);
        };
        gov.begin(planFor(fields, c.fields, caller, c.purpose, pack), load);

        type Decided = Exclude<Op, { kind: 'prefetch' }>;
        const decided: Promise<[Decided, Outcome]>[] = [];
        for (const op of c.ops) {
          if (op.kind === 'prefetch') void gov.prefetch(op.subjects);
          else if (op.kind === 'value') decided.push(Promise.resolve(gov.decideValue(fields[op.field]!, op.value)).then((o) => [op, o]));
          else decided.push(gov.decideAggregate(fields[op.field]!, op.subject, TENANT).then((o) => [op, o]));
        }
        await s.waitAll();
        const results = await Promise.all(decided);

        // Each outcome is the reference's (the same frozen object: the plugin releases on identity with ALLOW).
        const records = new Map<string, { coordinate: string; category: string; decision: string; reason: string | null; subjects: Set<string | null>; values: number }>();
        for (const [op, outcome] of results) {
          const field = fields[op.field]!;
          const subject = op.kind === 'value' ? op.value.subject : op.subject;
          const want = op.kind === 'value' ? expected(field, op.value, caller, c.purpose, pack, c.states) : expectedAggregate(field, op.subject, caller, c.purpose, pack, c.states);
          expect(outcome, `${op.kind} of ${field.coordinate} for ${String(subject)}`).toBe(want);
          const key = `${field.coordinate}|${want.decision}|${want.reason}`;
          const record = records.get(key) ?? { coordinate: field.coordinate, category: field.governance.category, decision: want.decision, reason: want.reason, subjects: new Set(), values: 0 };
          record.subjects.add(subject);
          record.values += 1;
          records.set(key, record);
        }

        // The audit event: one decision per (field, outcome) with every subject it was taken for.
        const shown = (r: { coordinate: string; category: string; decision: string; reason: string | null; subjects: Iterable<string | null> }) =>
          `${r.coordinate} ${r.category} ${r.decision}:${r.reason ?? 'none'} [${[...r.subjects].map(String).sort().join(',')}]`;
        const recorded = decisionsOf(gov.decisionSets());
        expect(recorded.map((d) => d.purpose).every((p) => p === c.purpose)).toBe(true);
        expect(recorded.map(shown).sort()).toEqual([...records.values()].map(shown).sort());
        // ...and the counts the access log and metrics read.
        const tally = new Map<string, number>();
        for (const r of records.values()) tally.set(`${r.decision}:${r.reason ?? 'none'}`, (tally.get(`${r.decision}:${r.reason ?? 'none'}`) ?? 0) + r.values);
        expect(new Map([...gov.tally()].sort())).toEqual(new Map([...tally].sort()));
        expect(gov.touched).toBe(results.length > 0);
      }),
      { numRuns: NUM_RUNS, ...replay },
    );
  });
});
