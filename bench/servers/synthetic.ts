/**
 * Schema-size scaling: a synthetic type `Record` with SYNTH_FIELDS personal-data fields (cycling
 * through name / email / location / username categories and truncate / mask / null / hash
 * strategies; every tenth field serves marketing only, so an essential.service read redacts it).
 * Rows live in memory (SYNTH_ROWS of them, owned by the first bench users), so the cost measured
 * is the gateway's, not the database's.
 *
 * SYNTH_GOVERNED=1: a separate Pothos builder with govgate's GovernancePlugin, wired like
 * createGateway (JWT verification, purpose, plan cache, per-value decisions with subject state
 * loaded from MongoDB, redaction, audit persisted before the response). SYNTH_GOVERNED=0: the same
 * builder code without the plugin (the `governance` options are then inert), JWT verification only.
 */
import SchemaBuilder, { type FieldMap } from '@pothos/core';
import { createYoga } from 'graphql-yoga';
import { createVerifier, requireAuthenticated, type Caller } from '../../src/auth/index.js';
import { loadConfig } from '../../src/config.js';
import { connectDatabase } from '../../src/db/connect.js';
import { registerModels } from '../../src/db/register-models.js';
import type { FieldGovernance } from '../../src/governance/index.js';
import GovernancePlugin from '../../src/governance/plugin/index.js';
import { createGateway } from '../../src/server.js';
import { TENANT, subjectOf } from '../lib/dataset.js';
import { main, serve } from './common.js';

interface Row {
  id: string;
  tenant: string;
  subject: string;
  createdAt: Date;
  values: string[];
}

const KINDS: FieldGovernance[] = [
  { category: 'user.name', purposes: ['essential', 'personalize'], strategy: 'truncate' },
  { category: 'user.contact.email', purposes: ['essential', 'marketing.communications'], strategy: 'mask' },
  { category: 'user.location.coarse', purposes: ['essential', 'analytics.reporting'], strategy: 'null' },
  { category: 'user.account.username', purposes: ['essential'], strategy: 'hash' },
];
const MARKETING_ONLY: Omit<FieldGovernance, 'category' | 'strategy'> = { purposes: ['marketing.communications'] };

export const governanceOfField = (k: number): FieldGovernance => {
  const kind = KINDS[k % KINDS.length] as FieldGovernance;
  return k % 10 === 9 ? { ...kind, ...MARKETING_ONLY } : kind;
};

function buildSchema(fields: number, governed: boolean) {
  const builder = new SchemaBuilder<{ Context: { readonly caller: Caller }; DefaultFieldNullability: false }>({
    plugins: governed ? [GovernancePlugin] : [],
    defaultFieldNullability: false,
  });
  const RecordRef = builder.objectRef<Row>('Record');
  RecordRef.implement({
    governance: { subjectOf: (r) => r.subject, tenantOf: (r) => r.tenant, timestampOf: (r) => r.createdAt },
    fields: (t) => {
      const map: FieldMap = {
        id: t.exposeID('id', { governance: { category: 'system.operations', purposes: ['essential'], strategy: 'null' } }),
      };
      for (let k = 0; k < fields; k += 1) {
        map[`f${k}`] = t.string({ nullable: true, governance: governanceOfField(k), resolve: (r) => r.values[k] ?? null });
      }
      return map;
    },
  });
  return { builder, RecordRef };
}

main(async () => {
  const fields = Number(process.env.SYNTH_FIELDS ?? '50');
  const rowCount = Number(process.env.SYNTH_ROWS ?? '20');
  const governed = process.env.SYNTH_GOVERNED === '1';
  const config = loadConfig(process.env);
  if (!config.mongo.uri) throw new Error('MONGODB_URI is not set');
  const connection = await connectDatabase({ uri: config.mongo.uri, dbName: config.mongo.dbName, writeConcern: config.mongo.writeConcern });
  await registerModels(connection);

  const now = new Date();
  const rows: Row[] = Array.from({ length: rowCount }, (_, i) => ({
    id: `r${i}`,
    tenant: TENANT,
    subject: subjectOf(i),
    createdAt: now,
    values: Array.from({ length: fields }, (_v, k) => (k % KINDS.length === 1 ? `r${i}.f${k}@bench.example.com` : `value ${k} of record ${i}`)),
  }));

  const { builder, RecordRef } = buildSchema(fields, governed);
  builder.queryType({
    fields: (t) => ({
      records: t.field({
        type: [RecordRef],
        args: { first: t.arg.int({ required: true }) },
        resolve: (_root, { first }, ctx) => {
          requireAuthenticated(ctx.caller);
          return rows.slice(0, first);
        },
      }),
    }),
  });
  const schema = builder.toSchema();
  const verifier = await createVerifier({ auth: config.auth });

  if (!governed) {
    const yoga = createYoga<Record<string, unknown>, { caller: Caller }>({
      schema,
      graphqlEndpoint: '/graphql',
      landingPage: false,
      graphiql: false,
      maskedErrors: { isDev: false },
      logging: false,
      context: async ({ request }) => ({ caller: await verifier.authenticate(request.headers.get('authorization')) }),
    });
    await serve(yoga, async () => {
      await yoga.dispose();
      await connection.close();
    });
    return;
  }

  // The real gateway around the synthetic schema: admission, plan, decisions, redaction, audit.
  const gateway = await createGateway({ config, connection, schema });
  await serve(gateway.yoga, async () => {
    await gateway.close();
    await connection.close();
  });
});
