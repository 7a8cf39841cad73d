import { refOfSubject, subjectsOfDecision, type AuditEventDoc } from '../../audit/index.js';
import type { GatewayContext } from '../../context.js';
import { GovgateError } from '../../errors.js';
import { subjectKeysOf } from '../../keys/index.js';

/** One request that touched the subject's data, as the subject sees it: never the actor's identity. */
export interface AccessLogEntry {
  /** Whose log it is (the caller): for the type's governance, not exposed. */
  readonly tenant: string;
  readonly subject: string;
  /** The audit event's id (to cite in a complaint or a request to the controller). */
  readonly auditId: string;
  readonly at: Date;
  /** The actor's roles, comma-joined in token order (`support`, `user,developer`). */
  readonly actorRole: string;
  readonly actorRoles: readonly string[];
  /** The actor is the subject themselves. */
  readonly self: boolean;
  readonly purpose: string | null;
  readonly legalBasis: string | null;
  /** `Type.field` coordinates decided for this subject (and, for the subject's own requests, the accesses they noted). */
  readonly coordinates: readonly string[];
  /** The most restrictive of this subject's decisions in the event: DENY, then REDACT, else ALLOW. */
  readonly decision: 'ALLOW' | 'REDACT' | 'DENY';
  /** The precise reasons of this subject's redactions (their own state is theirs to see). */
  readonly reasons: readonly string[];
  readonly operationType: string | null;
  readonly outcome: string;
}

const RANK = { ALLOW: 0, REDACT: 1, DENY: 2 } as const;

export function entryOf(event: AuditEventDoc, ref: string, subject: string): AccessLogEntry {
  const mine = event.decisions.filter((d) => subjectsOfDecision(event, d).includes(ref));
  const self = event.actor.subject === ref;
  const coordinates = new Set(mine.map((d) => d.coordinate));
  if (self) for (const access of event.accesses) coordinates.add(access);
  const decision = mine.reduce<AccessLogEntry['decision']>((worst, d) => (RANK[d.decision] > RANK[worst] ? d.decision : worst), 'ALLOW');
  return {
    tenant: event.tenant,
    subject,
    auditId: event._id,
    at: event.at,
    actorRole: event.actor.roles.join(','),
    actorRoles: [...event.actor.roles],
    self,
    purpose: event.purpose,
    legalBasis: event.legalBasis,
    coordinates: [...coordinates],
    decision,
    reasons: [...new Set(mine.flatMap((d) => (d.reason === null ? [] : [d.reason])))],
    operationType: event.operationType,
    outcome: event.outcome,
  };
}

export interface AccessLogPage {
  edges: { cursor: string; node: AccessLogEntry }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

// Opaque to clients; the tenant and subject filters always apply, so a cursor only positions.
const encode = (id: string): string => Buffer.from(`l:${id}`, 'utf8').toString('base64url');
const decode = (cursor: string): string => {
  const raw = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!raw.startsWith('l:') || raw.length > 130) throw new GovgateError('BAD_USER_INPUT', 'invalid cursor');
  return raw.slice(2);
};

export interface AccessLogArgs {
  first?: number | null;
  after?: string | null;
}

/**
 * The subject's access log, newest first: audit events of the tenant whose decisions name the
 * subject's pseudonym (a subject without a key has none) — the subject's own requests included
 * (`self`; an export decides `DataExport.data` for its subject). Reading the log decides nothing
 * about the subject (its fields are audit records), so the read is audited as the access
 * `Query.myAccessLog` but is not listed: reading the log does not grow it. Event ids sort in append
 * order, so `after` continues with older events.
 */
export async function accessLogPage(ctx: GatewayContext, tenant: string, subject: string, args: AccessLogArgs, maxSize = 100): Promise<AccessLogPage> {
  const first = args.first ?? 20;
  if (!Number.isInteger(first) || first < 0 || first > maxSize) throw new GovgateError('BAD_USER_INPUT', `first must be between 0 and ${maxSize}`);
  const before = args.after ? decode(args.after) : null;
  const ref = await refOfSubject(subjectKeysOf(ctx.connection), tenant, subject);
  if (ref === null) return { edges: [], pageInfo: { hasNextPage: false, hasPreviousPage: Boolean(args.after), startCursor: null, endCursor: null } };
  const filter = {
    tenant,
    subjects: ref,
    ...(before ? { _id: { $lt: before } } : {}),
  };
  const rows = await ctx.audit.store.events.find(filter).sort({ _id: -1 }).limit(first + 1).toArray();
  const edges = rows.slice(0, first).map((e) => ({ cursor: encode(e._id), node: entryOf(e, ref, subject) }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > first, hasPreviousPage: Boolean(args.after), startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null },
  };
}
