import SchemaBuilder from '@pothos/core';
import RelayPlugin from '@pothos/plugin-relay';
import { DateResolver, DateTimeResolver, JSONResolver } from 'graphql-scalars';
import type { GatewayContext } from './context.js';
import GovernancePlugin from './governance/plugin/index.js';

export interface GovgateSchemaTypes {
  Context: GatewayContext;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    Date: { Input: Date; Output: Date };
    JSON: { Input: unknown; Output: unknown };
  };
  DefaultFieldNullability: false;
  DefaultEdgesNullability: { list: false; items: false };
  DefaultNodeNullability: false;
}

/** The single schema builder; features add their types to it when imported. */
export const builder = new SchemaBuilder<GovgateSchemaTypes>({
  plugins: [RelayPlugin, GovernancePlugin],
  // Non-null unless a field says otherwise: a governed field that may be redacted to null opts in.
  defaultFieldNullability: false,
  relay: {
    edgesFieldOptions: { nullable: { list: false, items: false } },
    nodeFieldOptions: { nullable: false },
    clientMutationId: 'omit',
    cursorType: 'String',
    // Users are addressed by their token subject, not by Relay global ids.
    nodeQueryOptions: false,
    nodesQueryOptions: false,
  },
});

builder.addScalarType('DateTime', DateTimeResolver);
builder.addScalarType('Date', DateResolver);
builder.addScalarType('JSON', JSONResolver);

builder.queryType({});
builder.mutationType({});

export type Builder = typeof builder;
