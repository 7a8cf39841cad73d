import { requireAuthenticated } from '../../auth/index.js';
import { builder } from '../../builder.js';
import { accessLogPage, type AccessLogEntry } from './access-log.js';

// Audit records, as `AuditEvent` classifies them (system.operations): roles, purposes, coordinates,
// decisions, times — never a value and never the actor's identity (no subject id, no client). Read
// by the caller's own pseudonym only.
const RECORD = { category: 'system.operations', purposes: ['essential'], strategy: 'null' } as const;
const AccessLogEntryRef = builder.objectRef<AccessLogEntry>('AccessLogEntry').implement({
  description: 'One request that touched the caller\'s data, from the audit log. Never the actor\'s identity.',
  governance: { subjectOf: (e) => e.subject, tenantOf: (e) => e.tenant },
  fields: (t) => ({
    auditId: t.exposeID('auditId', { description: 'The audit event\'s id.', governance: RECORD }),
    at: t.expose('at', { type: 'DateTime', governance: RECORD }),
    actorRole: t.exposeString('actorRole', { description: 'The actor\'s roles, comma-joined in token order (e.g. `support`).', governance: RECORD }),
    actorRoles: t.exposeStringList('actorRoles', { governance: RECORD }),
    self: t.exposeBoolean('self', { description: 'The request was the caller\'s own.', governance: RECORD }),
    purpose: t.exposeString('purpose', { nullable: true, governance: RECORD }),
    legalBasis: t.exposeString('legalBasis', { nullable: true, governance: RECORD }),
    coordinates: t.exposeStringList('coordinates', { description: '`Type.field` coordinates decided for the caller (for the caller\'s own requests also the accesses noted, e.g. `User.email` changed).', governance: RECORD }),
    decision: t.exposeString('decision', { description: '`ALLOW`, `REDACT` or `DENY`: the most restrictive of the decisions about the caller in the request.', governance: RECORD }),
    reasons: t.exposeStringList('reasons', { description: 'Reason codes of the redactions about the caller.', governance: RECORD }),
    operationType: t.exposeString('operationType', { nullable: true, governance: RECORD }),
    outcome: t.exposeString('outcome', { description: '`SERVED`, `DENIED` or `FAILED`.', governance: RECORD }),
  }),
});

const AccessLogConnection = builder.connectionObject({ type: AccessLogEntryRef, name: 'AccessLogConnection' });

builder.queryFields((t) => ({
  myAccessLog: t.field({
    type: AccessLogConnection,
    description:
      'Who accessed the caller\'s data, newest first (Art. 15(1)(c)): every audited request of the tenant that decided a field about the caller, and the caller\'s own exports. ' +
      'Reading it is audited (`Query.myAccessLog`) but decides nothing about the caller, so it does not list itself.',
    args: { first: t.arg.int({ description: '0 to 100, default 20.' }), after: t.arg.string() },
    resolve: (_root, args, ctx) => {
      const { tenant, subject } = requireAuthenticated(ctx.caller);
      ctx.governance.noteAccess('Query.myAccessLog');
      return accessLogPage(ctx, tenant, subject, args);
    },
  }),
}));
