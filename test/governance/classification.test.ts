/**
 * Classification is enforced at build time: an unclassified or wrongly classified field of a
 * governed type fails `builder.toSchema()` naming its coordinate; every personal type of the real
 * schema is governed; only personal fields get the governance wrapper around their resolver.
 */
import SchemaBuilder from '@pothos/core';
import { defaultFieldResolver, isObjectType, type GraphQLFieldResolver, type GraphQLObjectType, type GraphQLResolveInfo } from 'graphql';
import { describe, expect, it } from 'vitest';
import { GovgateError } from '../../src/errors.js';
import GovernancePlugin from '../../src/governance/plugin/index.js';
import { governedFieldsOf } from '../../src/governance/registry.js';
import type { FieldGovernance } from '../../src/governance/types.js';
import { buildSchema } from '../../src/schema.js';

interface Thing {
  id: string;
  owner: string;
  tenant: string;
  email: string | null;
  tags: string[];
}

const OK: FieldGovernance = { category: 'user.unique_id', purposes: ['essential'], strategy: 'hash' };

type FieldSpec = 'unclassified' | 'ok' | { governance: FieldGovernance; nullable?: boolean; list?: boolean };

/**
 * A fresh builder with only the governance plugin and one governed type `Thing`; `extra` is the
 * field under test, `Thing.probe`.
 */
function buildThing(extra: FieldSpec, options: { governedType?: boolean } = {}) {
  const builder = new SchemaBuilder<{ Context: object }>({ plugins: [GovernancePlugin] });
  const ThingRef = builder.objectRef<Thing>('Thing');
  ThingRef.implement({
    ...(options.governedType === false ? {} : { governance: { subjectOf: (t: Thing) => t.owner, tenantOf: (t: Thing) => t.tenant } }),
    fields: (t) => ({
      ...(options.governedType === false ? {} : { id: t.exposeID('id', { governance: OK }) }),
      probe:
        extra === 'unclassified'
          ? t.exposeString('email', { nullable: true })
          : extra === 'ok'
            ? t.exposeString('email', { nullable: true, governance: { category: 'user.contact.email', purposes: ['essential'], strategy: 'mask' } })
            : extra.list
              ? t.exposeStringList('tags', { nullable: extra.nullable ?? false, governance: extra.governance })
              : t.string({ nullable: extra.nullable ?? false, governance: extra.governance, resolve: (thing) => thing.email ?? '' }),
    }),
  });
  builder.queryType({ fields: (t) => ({ thing: t.field({ type: ThingRef, nullable: true, resolve: () => null }) }) });
  return builder.toSchema();
}

describe('build-time classification checks', () => {
  it('builds a governed type whose fields are all classified', () => {
    const schema = buildThing('ok');
    expect([...governedFieldsOf(schema).keys()].sort()).toEqual(['Thing.id', 'Thing.probe']);
  });

  it('refuses a field of a governed type without `governance`, naming Type.field', () => {
    expect(() => buildThing('unclassified')).toThrow(/Thing\.probe/);
    expect(() => buildThing('unclassified')).toThrow(/not classified/);
  });

  it('refuses a misspelled category', () => {
    expect(() => buildThing({ governance: { category: 'user.contact.emial', purposes: ['essential'], strategy: 'mask' }, nullable: true })).toThrow(
      /Thing\.probe.*user\.contact\.emial/,
    );
  });

  it('refuses an unknown purpose', () => {
    expect(() => buildThing({ governance: { category: 'user.contact.email', purposes: ['essential', 'marketting'], strategy: 'mask' }, nullable: true })).toThrow(
      /Thing\.probe.*marketting/,
    );
  });

  it('refuses no purposes at all', () => {
    expect(() => buildThing({ governance: { category: 'user.contact.email', purposes: [], strategy: 'mask' }, nullable: true })).toThrow(/Thing\.probe/);
  });

  it('refuses the `null` strategy on a non-nullable personal field', () => {
    expect(() => buildThing({ governance: { category: 'user.contact.email', purposes: ['essential'], strategy: 'null' }, nullable: false })).toThrow(
      /Thing\.probe.*null/,
    );
    // ... which a nullable one, or a non-personal one, may use.
    expect(() => buildThing({ governance: { category: 'user.contact.email', purposes: ['essential'], strategy: 'null' }, nullable: true })).not.toThrow();
    expect(() => buildThing({ governance: { category: 'system.operations', purposes: ['essential'], strategy: 'null' }, nullable: false })).not.toThrow();
  });

  it('refuses `drop` on a field that is not a list', () => {
    expect(() => buildThing({ governance: { category: 'user.contact.email', purposes: ['essential'], strategy: 'drop' }, nullable: true })).toThrow(
      /Thing\.probe.*drop/,
    );
    expect(() => buildThing({ governance: { category: 'user.content.private', purposes: ['essential'], strategy: 'drop' }, list: true })).not.toThrow();
  });

  it('refuses an unknown strategy', () => {
    const strategy = 'shred' as FieldGovernance['strategy'];
    expect(() => buildThing({ governance: { category: 'user.contact.email', purposes: ['essential'], strategy }, nullable: true })).toThrow(/Thing\.probe.*shred/);
  });

  it('refuses a classified field on a type that does not say whose data it is', () => {
    expect(() => buildThing('ok', { governedType: false })).toThrow(/Thing\.probe/);
  });
});

/** Types that hold no personal data: roots, Relay plumbing, governance metadata, introspection. */
// Metadata about the schema, the pack and the audit chain (and counts of its decisions, never a
// subject: DecisionStat): no field holds personal data.
const NON_PERSONAL_TYPES = [/^Query$/, /^Mutation$/, /^Subscription$/, /^PageInfo$/, /Connection$/, /Edge$/, /^DataMapEntry$/, /^Policy([A-Z]|$)/, /^AuditVerification$/, /^ChainVerification$/, /^AuditProblem$/, /^DecisionStat$/, /^PackFacts$/, /^PackSubProcessor$/, /^RecordOfProcessing$/, /^Processing[A-Z]/, /^Taxonomy/, /^GuardianConfirmation$/, /^CollectionCount$/, /^KeptRecords$/, /^DsrExtension$/, /^__/];

describe('the real schema', () => {
  const schema = buildSchema();
  const governed = governedFieldsOf(schema);
  const objectTypes = Object.values(schema.getTypeMap()).filter((type): type is GraphQLObjectType => isObjectType(type));

  it('classifies every field of every object type outside the allow-list of non-personal types', () => {
    // Grouped by type, so a new unclassified type shows up as one line naming its fields.
    const unclassified = Object.fromEntries(
      objectTypes
        .filter((type) => !NON_PERSONAL_TYPES.some((pattern) => pattern.test(type.name)))
        .map((type) => [type.name, Object.keys(type.getFields()).filter((field) => !governed.has(`${type.name}.${field}`))] as const)
        .filter(([, fields]) => fields.length > 0)
        .map(([type, fields]) => [type, fields.join(' ')]),
    );
    expect(unclassified).toEqual({});
    // The check is not vacuous: the personal types are there and governed.
    for (const coordinate of ['User.email', 'User.phone', 'Conversation.title', 'Message.content', 'Consent.purpose']) expect(governed.has(coordinate), coordinate).toBe(true);
  });

  it('registers only fields that exist, with a known classification', () => {
    for (const [coordinate, field] of governed) {
      const type = schema.getType(field.typeName);
      expect(isObjectType(type) && type.getFields()[field.fieldName] !== undefined, coordinate).toBe(true);
      expect(field.personal, coordinate).toBe(!/^system(\.|$)/.test(field.governance.category));
    }
  });

  /** A parent on which every property read answers `value-of-<property>`. */
  const anyParent = new Proxy({}, { get: (_target, property) => (property === 'then' ? undefined : `value-of-${String(property)}`) });
  /** Just enough of a resolve info for a resolver called outside an execution. */
  const infoFor = (coordinate: string): GraphQLResolveInfo => {
    const [typeName, fieldName] = coordinate.split('.') as [string, string];
    return { fieldName, parentType: schema.getType(typeName), schema, path: { prev: undefined, key: fieldName, typename: typeName } } as unknown as GraphQLResolveInfo;
  };
  const fieldOf = (coordinate: string) => {
    const [typeName, fieldName] = coordinate.split('.') as [string, string];
    const field = (schema.getType(typeName) as GraphQLObjectType).getFields()[fieldName];
    if (!field) throw new Error(`${coordinate} is not in the schema`);
    return field;
  };
  /** The field's resolver; GraphQL's default resolver where the build left none. */
  const resolverOf = (coordinate: string): GraphQLFieldResolver<unknown, object> => fieldOf(coordinate).resolve ?? defaultFieldResolver;

  it('wraps personal fields: resolving one outside a governed request fails closed', () => {
    const personal = [...governed.values()].filter((f) => f.personal);
    expect(personal.length).toBeGreaterThan(5);
    for (const field of personal) {
      let thrown: unknown;
      try {
        resolverOf(field.coordinate)(anyParent, {}, {}, infoFor(field.coordinate));
      } catch (error) {
        thrown = error;
      }
      expect(thrown, field.coordinate).toBeInstanceOf(GovgateError);
      expect((thrown as GovgateError).code, field.coordinate).toBe('INTERNAL_SERVER_ERROR');
    }
  });

  it('leaves non-personal (system.*) fields untouched: they resolve without any governance state', async () => {
    const nonPersonal = [...governed.values()].filter((f) => !f.personal);
    expect(nonPersonal.map((f) => f.coordinate)).toEqual(expect.arrayContaining(['Message.createdAt', 'Message.id', 'Conversation.createdAt', 'User.createdAt']));
    // Fields with a resolver of their own (not a plain property read) get a parent of their shape.
    const shaped: Record<string, { parent: unknown; expected: unknown }> = {
      'AuditEvent.decisions': { parent: { tenant: 't1', decisions: [] }, expected: [] },
      'AuditEvent.effects': { parent: { tenant: 't1' }, expected: [] },
      'DsrRequest.overdue': { parent: { status: 'PENDING', dueAt: new Date(0) }, expected: true },
      'TenantExport.withheld': { parent: { withheld: { users: 1 } }, expected: [{ collection: 'users', count: 1 }] },
      'TrainingSample.id': { parent: { message: { _id: 'm1' } }, expected: 'm1' },
      'TrainingSample.role': { parent: { message: { role: 'USER' } }, expected: 'USER' },
      'TrainingSample.createdAt': { parent: { message: { createdAt: new Date(0) } }, expected: new Date(0) },
      'TenantModelImprovementOptOut.periods': { parent: { periods: [] }, expected: [] },
      'DecisionExplanation.recomputedDecision': { parent: { recomputed: { decision: 'ALLOW', reason: null } }, expected: 'ALLOW' },
      'DecisionExplanation.recomputedReason': { parent: { recomputed: { decision: 'REDACT', reason: 'CONSENT' } }, expected: 'CONSENT' },
      'DecisionExplanation.consistent': { parent: { consistent: true }, expected: true },
      'ExplanationStep.outcome': { parent: { outcome: 'PASS' }, expected: 'PASS' },
    };
    for (const field of nonPersonal) {
      const custom = shaped[field.coordinate];
      const value = await resolverOf(field.coordinate)(custom ? custom.parent : anyParent, {}, {}, infoFor(field.coordinate));
      if (custom) expect(value, field.coordinate).toEqual(custom.expected);
      else expect(value, field.coordinate).toMatch(/^value-of-(?!undefined)/);
    }
    // Exposed fields read the parent's property directly; a same-named one keeps GraphQL's default resolver.
    expect(resolverOf('Message.id')(anyParent, {}, {}, infoFor('Message.id'))).toBe('value-of-_id');
    expect(resolverOf('Message.createdAt')(anyParent, {}, {}, infoFor('Message.createdAt'))).toBe('value-of-createdAt');
    expect(fieldOf('User.createdAt').resolve ?? defaultFieldResolver).toBe(defaultFieldResolver);
    // ... whereas every personal field has a resolver of its own (the governance wrapper).
    for (const field of governed.values()) if (field.personal) expect(fieldOf(field.coordinate).resolve, field.coordinate).toBeTypeOf('function');
  });
});
