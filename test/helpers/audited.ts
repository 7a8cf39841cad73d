/** Reading the audit event a response names (`extensions.governance.auditId`) as a compliance officer would. */
import type { AuditEventsQuery } from '../generated/graphql.js';
import { AuditEventsDocument } from '../generated/graphql.js';
import type { TestGateway } from './gateway.js';

export type AuditedEvent = AuditEventsQuery['auditEvents']['edges'][number]['node'];

type WithExtensions = { extensions?: Record<string, unknown> };

export const auditIdOf = (res: WithExtensions): string => {
  const id = (res.extensions?.governance as { auditId?: string } | undefined)?.auditId;
  if (!id) throw new Error('response names no audit event');
  return id;
};

/** Every event of the actor's requests in the tenant, oldest first. */
export async function auditEventsOf(t: TestGateway, tenant: string, actor: string, operationName?: string): Promise<AuditedEvent[]> {
  const token = await t.token('audit-reader', tenant, ['compliance_officer']);
  const events: AuditedEvent[] = [];
  let after: string | null | undefined;
  for (;;) {
    const page = await t.execute(AuditEventsDocument, { filter: { actor, ...(operationName ? { operationName } : {}) }, first: 100, ...(after ? { after } : {}) }, { token });
    if (!page.data) throw new Error(`auditEvents failed: ${JSON.stringify(page.errors)}`);
    events.push(...page.data.auditEvents.edges.map((e) => e.node));
    if (!page.data.auditEvents.pageInfo.hasNextPage) return events;
    after = page.data.auditEvents.pageInfo.endCursor;
  }
}

/** The audit event of one response. */
export async function auditEventOf(t: TestGateway, tenant: string, actor: string, res: WithExtensions): Promise<AuditedEvent> {
  const id = auditIdOf(res);
  const event = (await auditEventsOf(t, tenant, actor)).find((e) => e.id === id);
  if (!event) throw new Error(`audit event ${id} not found`);
  return event;
}

/** The precise reasons the audit event of a response recorded for a coordinate. */
export async function auditedReasons(t: TestGateway, tenant: string, actor: string, res: WithExtensions, coordinate: string): Promise<(string | null)[]> {
  return (await auditEventOf(t, tenant, actor, res)).decisions.filter((d) => d.coordinate === coordinate).map((d) => d.reason);
}
