import { builder } from '../../builder.js';
import { paginateById } from '../../db/paginate.js';
import { subjectKeysOf } from '../../keys/index.js';
import { requireComplianceOfficer } from '../compliance/compliance-guard.js';
import { DSR_KINDS, DSR_STATUSES, dsrRequestModel, type DsrExtension, type DsrRequestDoc } from './dsr-request.model.js';

type DsrView = DsrRequestDoc & { shownSubject: string };

// As the audit records classify them: the request's facts are records of the legal obligation; the subject id is an identifier.
const RECORD = { category: 'system.operations', purposes: ['essential.legal_obligation'], strategy: 'null' } as const;
const SUBJECT_ID = { category: 'user.unique_id', purposes: ['essential.legal_obligation', 'essential.service.security'], strategy: 'hash' } as const;
const NO_SUBJECT = (): null => null;

const DsrKindEnum = builder.enumType('DsrKind', { values: DSR_KINDS });
const DsrStatusEnum = builder.enumType('DsrStatus', { values: DSR_STATUSES });

const DsrExtensionRef = builder.objectRef<DsrExtension>('DsrExtension').implement({
  fields: (t) => ({
    until: t.expose('until', { type: 'DateTime' }),
    reason: t.exposeString('reason'),
    at: t.expose('at', { type: 'DateTime' }),
  }),
});

const DsrRequestRef = builder.objectRef<DsrView>('DsrRequest').implement({
  description: 'One data-subject request and how it was answered (GDPR Art. 12).',
  governance: { subjectOf: NO_SUBJECT, tenantOf: (r) => r.tenant },
  fields: (t) => ({
    id: t.exposeID('_id', { governance: RECORD }),
    kind: t.field({ type: DsrKindEnum, resolve: (r) => r.kind, governance: RECORD }),
    subject: t.exposeString('shownSubject', { description: 'The subject\'s id while their data key exists, else their audit pseudonym (`sr_…`, after erasure linked to nobody).', governance: SUBJECT_ID }),
    status: t.field({ type: DsrStatusEnum, resolve: (r) => r.status, governance: RECORD }),
    receivedAt: t.expose('receivedAt', { type: 'DateTime', governance: RECORD }),
    dueAt: t.expose('dueAt', { type: 'DateTime', description: 'Art. 12(3): one month after receipt (or the latest extension).', governance: RECORD }),
    completedAt: t.expose('completedAt', { type: 'DateTime', nullable: true, governance: RECORD }),
    overdue: t.boolean({ resolve: (r) => r.status === 'PENDING' && r.dueAt.getTime() < Date.now(), governance: RECORD }),
    extensions: t.field({ type: [DsrExtensionRef], resolve: (r) => r.extensions, governance: RECORD }),
    auditId: t.exposeID('auditId', { nullable: true, governance: RECORD }),
  }),
});

const DsrConnection = builder.connectionObject({ type: DsrRequestRef, name: 'DsrConnection' });

builder.queryFields((t) => ({
  dataSubjectRequests: t.field({
    type: DsrConnection,
    description: 'The tenant\'s data-subject requests, oldest first, with their deadlines (compliance_officer only).',
    args: { first: t.arg.int(), after: t.arg.string() },
    resolve: async (_root, args, ctx) => {
      const { tenant } = requireComplianceOfficer(ctx, 'Query.dataSubjectRequests');
      const page = await paginateById(dsrRequestModel(ctx.connection), { tenant }, args, { maxSize: 100 });
      const subjects = await subjectKeysOf(ctx.connection).subjectsOf(tenant, page.edges.map((e) => e.node.subjectRef));
      return { ...page, edges: page.edges.map((e) => ({ ...e, node: { ...e.node, shownSubject: subjects.get(e.node.subjectRef) ?? e.node.subjectRef } })) };
    },
  }),
}));
