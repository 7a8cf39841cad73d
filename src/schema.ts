import type { GraphQLSchema } from 'graphql';
import { builder } from './builder.js';
import './features/users/index.js';
import './features/conversations/index.js';

let built: GraphQLSchema | undefined;

/** The executable schema, built once per process from every feature. */
export function buildSchema(): GraphQLSchema {
  built ??= builder.toSchema({ sortSchema: true });
  return built;
}
