import { specifiedDirectives, type GraphQLSchema } from 'graphql';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { builder } from './builder.js';
import { governedDirective } from './governance/governed-directive.js';
import './features/users/index.js';
import './features/conversations/index.js';
import './features/consents/index.js';
import './features/governance-info/index.js';
import './features/compliance/index.js';
import './features/agents/index.js';
import './features/gallery/index.js';
import './features/media/index.js';
import './features/usage/index.js';
import './features/payments/index.js';
import './features/statistics/index.js';
import './features/rights/index.js';
import './features/rights/erasure.schema.js';
import './features/rights/dsr.schema.js';
import './features/rights/end-of-contract.schema.js';
import './features/training/index.js';

let built: GraphQLSchema | undefined;

/** The executable schema, built once per process from every feature. */
export function buildSchema(): GraphQLSchema {
  built ??= builder.toSchema({ sortSchema: true, directives: [...specifiedDirectives, governedDirective] });
  return built;
}

/** SDL with `@governed` on every classified field, as committed in schema/schema.graphql. */
export function printGovernedSchema(schema: GraphQLSchema = buildSchema()): string {
  return `${printSchemaWithDirectives(schema)}\n`;
}
