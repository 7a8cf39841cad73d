/**
 * The bench data set: users of tenant `bench` with conversations, messages and consent histories,
 * loaded through govgate's own models (so every document passes the same schema and validation as
 * the gateway's writes, users and consents are sealed with the key the gateway verifies with, and
 * content is encrypted by the models' own plugin under per-subject data keys wrapped by the run's
 * master key, exactly as the gateway writes it). Everything is a pure function of the user index,
 * so the checks know what every response must contain.
 */
import type { Connection } from 'mongoose';
import { consentModel } from '../../src/features/consents/index.js';
import { conversationModel, messageModel } from '../../src/features/conversations/index.js';
import { ensureTenant, tenantModel } from '../../src/features/tenants/index.js';
import { userModel, type ErasureState } from '../../src/features/users/index.js';
import { installStateSeal } from '../../src/db/connection-seal.js';
import { newId } from '../../src/db/ids.js';
import { registerModels } from '../../src/db/register-models.js';
import { loadPolicyPack } from '../../src/governance/packs/index.js';
import { stateSealKeyOf } from '../../src/governance/state-seal-key.js';
import { createStateSeal } from '../../src/governance/state-seal.js';
import { installSubjectKeys, isCiphertext, localKeyService, SubjectKeyStore } from '../../src/keys/index.js';

export const TENANT = 'bench';
export const POLICY_PACK = 'deepailab' as const;
export const POLICY_VERSION = loadPolicyPack(POLICY_PACK).version;
export const MESSAGES_PER_CONVERSATION = 3;
const COUNTRIES = ['FR', 'DE', 'US', 'GB', 'ES', 'NL', 'SE', 'IE'];
const YEAR_MS = 365.25 * 86_400_000;
const BATCH = 1000;

export const subjectOf = (i: number): string => `u${String(i).padStart(5, '0')}`;
export const emailOf = (i: number): string => `user${i}@bench.example.com`;
export const displayNameOf = (i: number): string => `Bench User ${i}`;
export const countryOf = (i: number): string => COUNTRIES[i % COUNTRIES.length] ?? 'FR';
/** 1, 2 or 3 conversations: two on average. */
export const conversationCountOf = (i: number): number => 1 + (i % 3);
export const conversationTitleOf = (i: number, c: number): string => `Conversation ${c + 1} of ${subjectOf(i)}`;
export const messageContentOf = (i: number, c: number, m: number): string =>
  `Message ${m + 1} in conversation ${c + 1} of ${subjectOf(i)}: please summarise the attached quarterly notes and suggest three next steps.`;
/** Art. 18 restriction: 2 in every 100 users. */
export const isRestricted = (i: number): boolean => i % 50 === 7;
/** Erasure requested, not yet carried out: 1 in every 100 users. */
export const isErasurePending = (i: number): boolean => i % 100 === 42;
/** Subjects whose values a governed non-owner read must redact (under essential.service). */
export const isRedactedForService = (i: number): boolean => isRestricted(i) || isErasurePending(i);
/** Under 18 (the deepailab pack restricts marketing, training, personalisation for minors). */
export const isMinor = (i: number): boolean => i % 20 === 11;

/** Conversations (and their messages) created while the user had opted out of model improvement: never training data. */
export const isOptedOut = (i: number): boolean => i % 9 === 4;

/** The purpose q4 declares: it needs each subject's consent under the current version of its terms. */
export const TRAINING_PURPOSE = 'train_ai_system';
/** The version of train_ai_system's terms a consent must be given under (deepailab: 003-2025.1). */
export const TRAINING_TERMS = loadPolicyPack(POLICY_PACK).consentVersionFor(TRAINING_PURPOSE);
const OLD_TERMS = 'base-1';

/**
 * A subject's train_ai_system consent history, by i % 10: granted (0-3), granted then withdrawn
 * (4), granted, withdrawn and granted again (5), granted under the old terms only (6), never asked
 * (7, 9), granted under the old terms then again under the current ones (8).
 */
export type TrainingConsent = 'granted' | 'withdrawn' | 'regranted' | 'old-terms' | 'absent' | 'renewed';
const TRAINING_CONSENTS: readonly TrainingConsent[] = ['granted', 'granted', 'granted', 'granted', 'withdrawn', 'regranted', 'old-terms', 'absent', 'renewed', 'absent'];
export const trainingConsentOf = (i: number): TrainingConsent => TRAINING_CONSENTS[i % 10] as TrainingConsent;
/** Each kind's records, oldest first: status, terms (current or old), days ago. */
const TRAINING_HISTORIES: Readonly<Record<TrainingConsent, readonly (readonly ['GRANTED' | 'WITHDRAWN', 'current' | 'old', number])[]>> = {
  granted: [['GRANTED', 'current', 20]],
  withdrawn: [['GRANTED', 'current', 40], ['WITHDRAWN', 'current', 10]],
  regranted: [['GRANTED', 'current', 60], ['WITHDRAWN', 'current', 30], ['GRANTED', 'current', 3]],
  'old-terms': [['GRANTED', 'old', 200]],
  renewed: [['GRANTED', 'old', 200], ['GRANTED', 'current', 25]],
  absent: [],
};
/** The latest record is a grant under the current terms: 6 in 10 subjects. */
export const hasTrainingConsent = (i: number): boolean => ['granted', 'regranted', 'renewed'].includes(trainingConsentOf(i));

/**
 * How govgate decides a non-owner's read of subject i under train_ai_system (the decision order of
 * src/governance/decide.ts: erasure → restriction → objection → consent → retention → minors; the
 * data set has no training objections and nothing past retention). Opt-outs are per value
 * (conversations of opted-out users), after these.
 */
export function trainingOutcomeOf(i: number): 'ERASED' | 'RESTRICTED' | 'CONSENT' | 'MINOR' | 'ALLOW' {
  if (isErasurePending(i)) return 'ERASED';
  if (isRestricted(i)) return 'RESTRICTED';
  if (!hasTrainingConsent(i)) return 'CONSENT';
  if (isMinor(i)) return 'MINOR';
  return 'ALLOW';
}

/** The user whose `me` q2 reads; not restricted, two conversations. */
export const ME_USER = 1;

export interface LoadedDataset {
  readonly users: number;
  readonly conversations: number;
  readonly messages: number;
  readonly consents: number;
  /** Conversation ids of a user, oldest first. */
  conversationIdsOf(i: number): string[];
  /** Message ids of a conversation as loaded (the bench deletes what its mutation runs add). */
  messageIdsOf(conversationId: string): string[];
}

function consentsOf(i: number, now: number): { purpose: string; status: 'GRANTED' | 'WITHDRAWN'; policyVersion: string; at: Date }[] {
  const at = (daysAgo: number): Date => new Date(now - daysAgo * 86_400_000);
  const rows: { purpose: string; status: 'GRANTED' | 'WITHDRAWN'; policyVersion: string; at: Date }[] = [
    { purpose: 'essential.service', status: 'GRANTED', policyVersion: POLICY_VERSION, at: at(30) },
  ];
  for (const [status, terms, daysAgo] of TRAINING_HISTORIES[trainingConsentOf(i)]) {
    rows.push({ purpose: TRAINING_PURPOSE, status, policyVersion: terms === 'current' ? TRAINING_TERMS : OLD_TERMS, at: at(daysAgo) });
  }
  if (i % 5 === 0) {
    rows.push({ purpose: 'marketing.communications', status: 'GRANTED', policyVersion: POLICY_VERSION, at: at(15) });
    rows.push({ purpose: 'marketing.communications', status: 'WITHDRAWN', policyVersion: POLICY_VERSION, at: at(5) });
  }
  // Granted under an older version of the terms: does not count any more.
  if (i % 7 === 0) rows.push({ purpose: 'personalize', status: 'GRANTED', policyVersion: OLD_TERMS, at: at(200) });
  return rows;
}

async function inBatches<T>(rows: T[], insert: (batch: T[]) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < rows.length; start += BATCH) await insert(rows.slice(start, start + BATCH));
}

/**
 * Drops the bench database, then loads `users` users with their conversations, messages and
 * consents, sealed under `stateSealKey` (the gateway's STATE_SEAL_KEY), content encrypted under
 * data keys wrapped by `masterKey` (the bytes of the gateway's MASTER_KEY_FILE).
 */
export async function loadDataset(connection: Connection, users: number, log: (line: string) => void, stateSealKey: string, masterKey: Buffer): Promise<LoadedDataset> {
  await connection.dropDatabase();
  await registerModels(connection);
  installStateSeal(connection, createStateSeal(stateSealKeyOf(stateSealKey)));
  const subjectKeys = installSubjectKeys(connection, new SubjectKeyStore(connection, localKeyService(masterKey)));
  await ensureTenant(tenantModel(connection), TENANT);
  const now = Date.now();
  const User = userModel(connection);
  const Conversation = conversationModel(connection);
  const Message = messageModel(connection);
  const Consent = consentModel(connection);

  const conversationIds: string[][] = [];
  const messageIds = new Map<string, string[]>();
  let conversations = 0;
  let messages = 0;
  let consents = 0;
  const started = Date.now();
  for (let from = 0; from < users; from += BATCH) {
    const to = Math.min(users, from + BATCH);
    const userDocs = [];
    const conversationDocs = [];
    const messageDocs = [];
    const consentDocs = [];
    for (let i = from; i < to; i += 1) {
      const subject = subjectOf(i);
      const erasure: ErasureState = isErasurePending(i) ? 'ERASURE_PENDING' : 'ACTIVE';
      userDocs.push({
        tenant: TENANT,
        subject,
        displayName: displayNameOf(i),
        email: emailOf(i),
        phone: `+33 6 ${String(10_000_000 + i).slice(-8).replace(/(\d\d)(?=\d)/g, '$1 ')}`,
        birthDate: new Date(now - (isMinor(i) ? 15 : 20 + (i % 50)) * YEAR_MS),
        country: countryOf(i),
        policyVersion: POLICY_VERSION,
        restricted: isRestricted(i),
        objections: i % 10 === 3 ? ['analytics.reporting'] : [],
        erasure,
      });
      const ids: string[] = [];
      for (let c = 0; c < conversationCountOf(i); c += 1) {
        const _id = newId();
        ids.push(_id);
        conversationDocs.push({ _id, tenant: TENANT, owner: subject, title: conversationTitleOf(i, c), mipOptOut: isOptedOut(i) });
        for (let m = 0; m < MESSAGES_PER_CONVERSATION; m += 1) {
          const messageId = newId();
          messageIds.set(_id, [...(messageIds.get(_id) ?? []), messageId]);
          messageDocs.push({
            _id: messageId,
            tenant: TENANT,
            conversationId: _id,
            owner: subject,
            role: m % 2 === 0 ? 'USER' : 'ASSISTANT',
            content: messageContentOf(i, c, m),
            mipOptOut: isOptedOut(i),
          });
        }
      }
      conversationIds.push(ids);
      for (const consent of consentsOf(i, now)) consentDocs.push({ tenant: TENANT, subject, ...consent });
    }
    // Users in _id order = index order (ids are time-ordered), which is the order `users` pages in.
    await User.insertMany(userDocs, { ordered: true });
    // The batch's data keys in one insert; the plugin then finds each in the store's cache instead
    // of creating it record by record (the same keys and encryption as without it).
    await subjectKeys.ensure(TENANT, userDocs.map((u) => u.subject));
    await inBatches(conversationDocs, (batch) => Conversation.insertMany(batch, { ordered: true }));
    await inBatches(messageDocs, (batch) => Message.insertMany(batch, { ordered: true }));
    await inBatches(consentDocs, (batch) => Consent.insertMany(batch, { ordered: true }));
    conversations += conversationDocs.length;
    messages += messageDocs.length;
    consents += consentDocs.length;
    if (to % 5000 === 0 || to === users) log(`  loaded ${to}/${users} users (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
  return {
    users,
    conversations,
    messages,
    consents,
    conversationIdsOf: (i) => conversationIds[i] ?? [],
    messageIdsOf: (conversationId) => messageIds.get(conversationId) ?? [],
  };
}

/**
 * Stored titles and contents (the first `sample` of each) that are not ciphertext. Zero is what
 * makes the comparison fair: every variant then pays for decryption, not only the gateway.
 */
export async function plaintextContentCount(connection: Connection, sample = 500): Promise<number> {
  const titles = await conversationModel(connection).find({ tenant: TENANT }, { title: 1 }).limit(sample).lean().exec();
  const contents = await messageModel(connection).find({ tenant: TENANT }, { content: 1 }).limit(sample).lean().exec();
  return [...titles.map((c) => c.title), ...contents.map((m) => m.content)].filter((v) => !isCiphertext(v)).length;
}
