import type { Connection, Model } from 'mongoose';
import { agentModel, knowledgeModel, supportGrantModel } from '../agents/index.js';
import { consentModel } from '../consents/index.js';
import { conversationModel, messageModel } from '../conversations/index.js';
import { galleryImageModel } from '../gallery/index.js';
import { mediaUploadModel } from '../media/index.js';
import { transactionModel } from '../payments/index.js';
import { apiUsageModel } from '../usage/index.js';
import { guardianConfirmationModel, stateHistoryModel, userModel } from '../users/index.js';

/**
 * Art. 15 / 20: every collection holding records about a data subject, and how its records go into
 * `exportMyData`. The one list: the export reads it, and test/features/rights-export.test.ts fails
 * when a registered model's collection is neither here nor in NOT_ABOUT_THE_SUBJECT, or when a
 * stored path of an exported collection is neither exported nor omitted with a reason.
 */
export interface ExportSource {
  /** The key of `DataExport.data` (and of `exportMyData(collection:)`). */
  readonly key: string;
  /** The MongoDB collection. */
  readonly collection: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- one list over every model
  readonly model: (connection: Connection) => Model<any>;
  /** The stored path holding the caller's subject id. */
  readonly subjectPath: string;
  /** Paths exported (dotted for a sub-document's fields); nothing else of a record leaves. */
  readonly fields: readonly string[];
  /** Paths stored encrypted under the owner's data key: decrypted for the subject (their own data). */
  readonly encrypted: readonly string[];
  /** Stored paths left out of the export, each with why. */
  readonly omitted: Readonly<Record<string, string>>;
  /** One record per subject (the profile): exported as an object, not a list. */
  readonly single?: boolean;
}

const TENANT = 'the tenant is stated once, at the top of the export';
const SELF = 'the caller\'s own subject id, stated once at the top of the export';
const SEAL = 'an integrity MAC under the gateway\'s seal key: not data about the subject';

export const EXPORT_SOURCES: readonly ExportSource[] = [
  {
    key: 'profile',
    collection: 'users',
    model: userModel,
    subjectPath: 'subject',
    single: true,
    fields: [
      '_id', 'displayName', 'email', 'phone', 'birthDate', 'country', 'policyVersion',
      'guardian.name', 'guardian.email', 'guardian.consent', 'guardian.at', 'guardian.confirmedAt',
      'restricted', 'objections', 'erasure', 'erasedAt', 'erasureDueAt', 'mipOptOutPeriods.from', 'mipOptOutPeriods.until', 'createdAt', 'updatedAt',
    ],
    encrypted: [],
    omitted: {
      tenant: TENANT,
      subject: SELF,
      seal: SEAL,
      'guardian.confirmedBy': 'the account id of the guardian who confirmed: another person\'s identifier (that a guardian confirmed, and when, is exported)',
    },
  },
  {
    key: 'stateHistory',
    collection: 'subject_state_history',
    model: stateHistoryModel,
    subjectPath: 'subject',
    fields: ['_id', 'at', 'state.restricted', 'state.objections', 'state.erasure', 'state.erasureDueAt', 'state.birthDate', 'state.guardian', 'state.mipOptOutPeriods'],
    encrypted: [],
    omitted: { tenant: TENANT, subject: SELF, seal: SEAL },
  },
  {
    key: 'consents',
    collection: 'consents',
    model: consentModel,
    subjectPath: 'subject',
    fields: ['_id', 'purpose', 'status', 'policyVersion', 'at'],
    encrypted: [],
    omitted: { tenant: TENANT, subject: SELF, seal: SEAL },
  },
  {
    key: 'conversations',
    collection: 'conversations',
    model: conversationModel,
    subjectPath: 'owner',
    fields: ['_id', 'title', 'mipOptOut', 'keep', 'createdAt', 'updatedAt'],
    encrypted: ['title'],
    omitted: { tenant: TENANT, owner: SELF },
  },
  {
    key: 'messages',
    collection: 'messages',
    model: messageModel,
    subjectPath: 'owner',
    fields: ['_id', 'conversationId', 'role', 'content', 'mipOptOut', 'createdAt'],
    encrypted: ['content'],
    omitted: { tenant: TENANT, owner: SELF },
  },
  {
    key: 'agents',
    collection: 'agents',
    model: agentModel,
    subjectPath: 'owner',
    fields: ['_id', 'name', 'instructions', 'mipOptOut', 'createdAt', 'updatedAt'],
    encrypted: ['instructions'],
    omitted: { tenant: TENANT, owner: SELF },
  },
  {
    key: 'agentKnowledge',
    collection: 'agent_knowledge',
    model: knowledgeModel,
    subjectPath: 'owner',
    fields: ['_id', 'agentId', 'title', 'content', 'mipOptOut', 'createdAt'],
    encrypted: ['title', 'content'],
    omitted: { tenant: TENANT, owner: SELF },
  },
  {
    key: 'supportGrants',
    collection: 'support_grants',
    model: supportGrantModel,
    subjectPath: 'owner',
    fields: ['_id', 'agentId', 'expiresAt', 'createdAt'],
    encrypted: [],
    omitted: { tenant: TENANT, owner: SELF, seal: SEAL },
  },
  {
    key: 'galleryImages',
    collection: 'gallery_images',
    model: galleryImageModel,
    subjectPath: 'owner',
    fields: ['_id', 'prompt', 'imageUrl', 'visibility', 'mipOptOut', 'createdAt', 'updatedAt'],
    encrypted: ['prompt', 'imageUrl'],
    omitted: { tenant: TENANT, owner: SELF, seal: SEAL },
  },
  {
    key: 'mediaUploads',
    collection: 'media_uploads',
    model: mediaUploadModel,
    subjectPath: 'owner',
    fields: ['_id', 'kind', 'contentType', 'location', 'durationSeconds', 'transcript', 'mipOptOut', 'createdAt'],
    encrypted: ['location', 'transcript'],
    omitted: { tenant: TENANT, owner: SELF },
  },
  {
    key: 'apiUsage',
    collection: 'api_usage',
    model: apiUsageModel,
    subjectPath: 'owner',
    fields: ['_id', 'operation', 'model', 'statusCode', 'latencyMs', 'ipAddress', 'userAgent', 'mipOptOut', 'createdAt'],
    encrypted: [],
    omitted: { tenant: TENANT, owner: SELF },
  },
  {
    key: 'transactions',
    collection: 'transactions',
    model: transactionModel,
    subjectPath: 'owner',
    fields: ['_id', 'amount', 'currency', 'status', 'mipOptOut', 'createdAt'],
    encrypted: [],
    omitted: { tenant: TENANT, owner: SELF },
  },
  {
    key: 'guardianConfirmations',
    collection: 'guardian_confirmations',
    model: guardianConfirmationModel,
    subjectPath: 'subject',
    // The token the guardian was sent is never stored (its MAC is recomputed); status and dates are all there is.
    fields: ['_id', 'status', 'expiresAt', 'confirmedAt', 'createdAt'],
    encrypted: [],
    omitted: {
      tenant: TENANT,
      subject: SELF,
      confirmedBy: 'the account id of the guardian who confirmed: another person\'s identifier',
    },
  },
];

/**
 * Collections the models (or the gateway) use that hold nothing exported as a record about the
 * subject, each with why.
 */
export const NOT_ABOUT_THE_SUBJECT: Readonly<Record<string, string>> = {
  subject_keys:
    'key material: the subject\'s wrapped data key and audit pseudonym. Never exported; the content those keys protect is, decrypted',
  tenants: 'one record per tenant (id, name, creation date, the tenant\'s model-improvement opt-outs): about the tenant, not any person',
  training_deliveries:
    'what was delivered for model training (sample and consent ids), naming subjects and recipients by audit pseudonym only, like the audit log: unlinkable once their keys are destroyed. What concerns the subject shows in their access log (the release of TrainingSample fields)',
  audit_events:
    'the audit log records requests. What concerns the subject is exported as `accessLog` (the entries of myAccessLog, without the actors\' identities)',
  govgate_leases:
    'leases of periodic jobs (which instance runs the erasure or retention sweep, until when); an erasure lease is named by a hash of tenant and subject and lasts while that erasure runs',
  govgate_readiness: 'the readiness probe\'s one document per gateway instance: no personal data',
  dsr_requests:
    'the controller\'s accountability record of rights requests (Art. 5(2), 12(3)), stored under the subject\'s pseudonym: kinds, dates and statuses of requests the subject made. Not exported yet (it is keyed by pseudonym, not by the subject id the export sources read)',
};

/** The export's keys, for `exportMyData(collection:)`: every source, and the access log. */
export const ACCESS_LOG_KEY = 'accessLog';
export const EXPORT_KEYS: readonly string[] = [...EXPORT_SOURCES.map((s) => s.key), ACCESS_LOG_KEY];
