import SchemaBuilder, { BasePlugin, type PothosOutputFieldConfig, type PothosTypeConfig, type SchemaTypes } from '@pothos/core';
import type { GraphQLFieldResolver, GraphQLResolveInfo, GraphQLSchema } from 'graphql';
import { responsePathAsArray } from 'graphql';
import { ALLOW } from '../decide.js';
import { applyStrategy, needsValue } from '../redact/index.js';
import { REGISTRY_KEY } from '../registry.js';
import { isPersonal } from '../taxonomy/index.js';
import type { FieldGovernance, GovernedField, Outcome, TypeGovernance } from '../types.js';
import { governedRequestOf, type GovernedRequest } from './governed-request.js';
import { connectionNodeType, withPrefetch } from './prefetch.js';
import { validateFieldGovernance } from './validate-field.js';
import './global-types.js';

export const pluginName = 'governance';

/** A value the decision withholds: null for another tenant's, else its redacted form, listed in the response. */
function redacted<C>(
  field: GovernedField,
  resolver: GraphQLFieldResolver<unknown, C, object>,
  gov: GovernedRequest,
  outcome: Outcome,
  parent: unknown,
  args: object,
  context: C,
  info: GraphQLResolveInfo,
): unknown {
  // Another tenant's value looks exactly like a missing one: null, no redaction entry.
  if (outcome.reason === 'TENANT' || outcome.reason === null) return null;
  const { governance, type } = field;
  const subject = type.subjectOf(parent);
  // The audit record keeps the precise reason; the response shows the subject's own state only to
  // the subject and to roles granted it (the plan's view, computed once).
  const reason = gov.shownReason(subject, outcome.reason);
  gov.redactions.push({ path: responsePathAsArray(info.path), category: governance.category, reason, strategy: governance.strategy });
  if (governance.strategy === 'drop') return [];
  const redactContext = { tenant: type.tenantOf(parent), pseudonymizer: gov.pseudonymizer, now: gov.now };
  if (!needsValue(governance)) return applyStrategy(governance, null, redactContext);
  return Promise.resolve(resolver(parent, args, context, info)).then((value) => applyStrategy(governance, value, redactContext));
}

const describe = (field: GovernedField): string => {
  const g = field.governance;
  return `Governance: category \`${g.category}\`; purposes ${g.purposes.map((p) => `\`${p}\``).join(', ')}; redaction \`${g.strategy}\`.`;
};

/**
 * Field-level governance for Pothos. At build time it checks that every field of a governed type
 * is classified, documents the classification (description + `@governed`), and wraps only the
 * resolvers of personal-data fields; at run time each wrapped resolver asks the request's
 * governance for a decision before the value is resolved.
 */
export class GovernancePlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  private readonly registry = new Map<string, GovernedField>();
  /** Type-level governance by type name, for finding the subjects of a field's returned objects. */
  private readonly governedTypes = new Map<string, TypeGovernance>();

  override onTypeConfig(typeConfig: PothosTypeConfig): PothosTypeConfig {
    const governance = typeConfig.kind === 'Object' ? (typeConfig.pothosOptions as { governance?: TypeGovernance }).governance : undefined;
    if (governance) this.governedTypes.set(typeConfig.name, governance);
    return typeConfig;
  }

  override onOutputFieldConfig(fieldConfig: PothosOutputFieldConfig<Types>): PothosOutputFieldConfig<Types> {
    const parent = this.buildCache.getTypeConfig(fieldConfig.parentType);
    const typeGovernance = parent.kind === 'Object' ? (parent.pothosOptions as { governance?: TypeGovernance }).governance : undefined;
    const governance = (fieldConfig.pothosOptions as { governance?: FieldGovernance }).governance;
    const coordinate = `${parent.name}.${fieldConfig.name}`;
    if (!governance) {
      if (typeGovernance) throw new Error(`governance: ${coordinate} is not classified (every field of a governed type needs \`governance\`)`);
      return fieldConfig;
    }
    if (!typeGovernance) throw new Error(`governance: ${coordinate} is classified but ${parent.name} has no type-level \`governance\` (subjectOf/tenantOf)`);
    const list = fieldConfig.type.kind === 'List';
    const nullable = fieldConfig.type.nullable === true;
    validateFieldGovernance(coordinate, governance, { nullable, list });
    const field: GovernedField = Object.freeze({
      coordinate,
      typeName: parent.name,
      fieldName: fieldConfig.name,
      governance,
      personal: isPersonal(governance.category),
      nullable,
      list,
      type: typeGovernance,
    });
    this.registry.set(coordinate, field);
    const directive = { category: governance.category, purposes: [...governance.purposes], strategy: governance.strategy };
    const existing = (fieldConfig.extensions?.directives ?? {}) as Record<string, unknown>;
    return {
      ...fieldConfig,
      description: fieldConfig.description ? `${fieldConfig.description}\n\n${describe(field)}` : describe(field),
      extensions: { ...fieldConfig.extensions, directives: { ...existing, governed: directive } },
    };
  }

  override wrapResolve(
    resolver: GraphQLFieldResolver<unknown, Types['Context'], object>,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types['Context'], object> {
    const field = this.registry.get(`${this.buildCache.getTypeConfig(fieldConfig.parentType).name}.${fieldConfig.name}`);
    const loaded = this.prefetching(resolver, fieldConfig);
    // Non-personal and unclassified fields keep their resolver: they cost nothing.
    if (!field?.personal) return loaded;
    return this.governed(loaded, field);
  }

  /** Fields returning governed objects (or connections of them) prefetch their subjects' state. */
  private prefetching(
    resolver: GraphQLFieldResolver<unknown, Types['Context'], object>,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types['Context'], object> {
    const item = fieldConfig.type.kind === 'List' ? fieldConfig.type.type : fieldConfig.type;
    if (item.kind !== 'Object') return resolver;
    const target = this.buildCache.getTypeConfig(item.ref);
    if (this.governedTypes.has(target.name)) {
      const governance = this.governedTypes.get(target.name)!;
      return withPrefetch(resolver, () => ({ governance, connection: false }));
    }
    if (!target.name.endsWith('Connection')) return resolver;
    return withPrefetch(resolver, (returnType) => {
      const node = connectionNodeType(returnType);
      const governance = node ? this.governedTypes.get(node) : undefined;
      return governance ? { governance, connection: true } : null;
    });
  }

  private governed(
    resolver: GraphQLFieldResolver<unknown, Types['Context'], object>,
    field: GovernedField,
  ): GraphQLFieldResolver<unknown, Types['Context'], object> {
    // Nothing is allocated per value on the allowed path: this runs for every governed value.
    return (parent, args, context, info) => {
      const gov = governedRequestOf(context);
      const outcome = gov.decideValue(field, parent);
      if (outcome === ALLOW) return resolver(parent, args, context, info);
      if (outcome instanceof Promise) {
        return outcome.then((decided) => (decided === ALLOW ? resolver(parent, args, context, info) : redacted(field, resolver, gov, decided, parent, args, context, info)));
      }
      return redacted(field, resolver, gov, outcome, parent, args, context, info);
    };
  }

  override afterBuild(schema: GraphQLSchema): GraphQLSchema {
    (schema.extensions as Record<string, unknown>)[REGISTRY_KEY] = this.registry;
    return schema;
  }
}

SchemaBuilder.registerPlugin(pluginName, GovernancePlugin);
