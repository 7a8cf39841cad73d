import type { GraphQLSchema } from 'graphql';
import type { GovernedField } from './types.js';

/** Where the build leaves its registry of governed fields: on the schema's extensions. */
export const REGISTRY_KEY = 'govgateGovernance';

export function governedFieldsOf(schema: GraphQLSchema): ReadonlyMap<string, GovernedField> {
  const registry = (schema.extensions as Record<string, unknown>)[REGISTRY_KEY];
  if (!(registry instanceof Map)) throw new Error('schema was not built with the governance plugin');
  return registry as ReadonlyMap<string, GovernedField>;
}
