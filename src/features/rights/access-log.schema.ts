import { requireAuthenticated } from '../../auth/index.js';
import { builder } from '../../builder.js';
import { accessLogPage, type AccessLogEntry } from './access-log.js';

// Not a governed type: it is the caller's own audit data, read by the caller's own pseudonym only;
// it never names the actor (no subject id, no client), only their roles.
const AccessLogEntryRef = builder.objectRef<AccessLogEntry>('AccessLogEntry').implement({
  description: 'One request that touched the caller\'s data, from the audit log. Never the actor\'s identity.',
  fields: (t) => ({
    auditId: t.exposeID('auditId', { description: 'The audit event\'s id.' }),
    at: t.expose('at', { type: 'DateTime' }),
    actorRole: t.exposeString('actorRole', { description: 'The actor\'s roles, comma-joined in token order (e.g. `support`).' }),
    actorRoles: t.exposeStringList('actorRoles'),
    self: t.exposeBoolean('self', { description: 'The request was the caller\'s own.' }),
    purpose: t.exposeString('purpose', { nullable: true }),
    legalBasis: t.exposeString('legalBasis', { nullable: true }),
    coordinates: t.exposeStringList('coordinates', { description: '`Type.field` coordinates decided for the caller (for the caller\'s own requests also the accesses noted, e.g. `User.email` changed).' }),
    decision: t.exposeString('decision', { description: '`ALLOW`, `REDACT` or `DENY`: the most restrictive of the decisions about the caller in the request.' }),
    reasons: t.exposeStringList('reasons', { description: 'Reason codes of the redactions about the caller.' }),
    operationType: t.exposeString('operationType', { nullable: true }),
    outcome: t.exposeString('outcome', { description: '`SERVED`, `DENIED` or `FAILED`.' }),
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
