import { createHash } from 'node:crypto';
import type { Connection, Model } from 'mongoose';
import type { Logger } from 'pino';
import type { AuditServices } from '../../audit/index.js';
import type { PolicyPack } from '../../governance/packs/index.js';
import type { ErasureRules } from '../../governance/packs/pack-schema.js';
import { subjectKeysOf } from '../../keys/index.js';
import { agentModel } from '../agents/index.js';
import { conversationModel, messageModel } from '../conversations/index.js';
import { transactionModel } from '../payments/index.js';
import { guardianConfirmationModel, userModel, type UserDoc } from '../users/index.js';
import { stateSealOf } from '../../db/connection-seal.js';
import { dsrRequestModel } from './dsr-request.model.js';
import { EXPORT_SOURCES } from './export-sources.js';

/** What erasure needs: a request's context has it, and so does the gateway's sweeper. */
export interface ErasureDeps {
  readonly connection: Connection;
  readonly audit: AuditServices;
  readonly pack: PolicyPack;
  readonly logger: Logger;
}

/** Whose erasure: the token's subject, or an account the sealed state says is due. */
export interface ErasureTarget {
  readonly tenant: string;
  readonly subject: string;
}

export interface KeptRecords {
  collection: string;
  count: number;
  reason: string;
  source: string;
}

export interface ErasureOutcome {
  deleted: Record<string, number>;
  anonymised: Record<string, number>;
  kept: KeptRecords[];
}

const DAY_MS = 86_400_000;

/** The pack's erasure rules (base sets them; a pack file without any gets the GDPR baseline). */
export function erasureRules(pack: PolicyPack): ErasureRules {
  return pack.file.erasure ?? { graceDays: 0, source: 'GDPR Art. 17(1): erasure without undue delay', legalHold: [] };
}

/** When an erasure received now is carried out: after the pack's grace period, never after the Art. 12(3) deadline. */
export function executeAtFor(rules: ErasureRules, receivedAt: Date, dueAt: Date): Date {
  return new Date(Math.min(receivedAt.getTime() + rules.graceDays * DAY_MS, dueAt.getTime()));
}

/** Deletes the caller's conversations and their messages; the number of conversations. */
export async function deleteConversationsOf(connection: Connection, tenant: string, owner: string): Promise<{ conversations: number; messages: number }> {
  const ids = (await conversationModel(connection).find({ tenant, owner }, { _id: 1 }).lean<{ _id: string }[]>().exec()).map((c) => c._id);
  const messages = await messageModel(connection).deleteMany({ tenant, $or: [{ owner }, { conversationId: { $in: ids } }] }).exec();
  const conversations = await conversationModel(connection).deleteMany({ tenant, owner }).exec();
  return { conversations: conversations.deletedCount, messages: messages.deletedCount };
}

/** The model of a collection a pack may hold (HOLDABLE_COLLECTIONS). */
export function heldModel(connection: Connection, collection: ErasureRules['legalHold'][number]['collection']): Model<never> {
  return { transactions: transactionModel(connection) }[collection] as unknown as Model<never>;
}

/** Paths of a held record that are never removed: its identity, tenant, owner (replaced) and date. */
const STRUCTURAL = new Set(['_id', 'tenant', 'owner', 'createdAt', 'updatedAt']);

export async function anonymiseHeld(model: Model<never>, tenant: string, subject: string, ref: string, keepFields: readonly string[]): Promise<number> {
  const keep = new Set([...STRUCTURAL, ...keepFields]);
  const removed = Object.keys(model.schema.paths).filter((p) => !keep.has(p));
  const update: Record<string, unknown> = { $set: { owner: ref } };
  if (removed.length > 0) update.$unset = Object.fromEntries(removed.map((p) => [p, '']));
  const { modifiedCount } = await model.collection.updateMany({ tenant, owner: subject }, update);
  return modifiedCount;
}

/**
 * Carries out one erasure: records under a legal hold of the pack are kept with the owner replaced
 * by the subject's audit pseudonym (unlinkable once the key is gone) and every other field but
 * `keepFields` removed; every other record about the subject, in every collection, is deleted; then
 * the subject's data key is destroyed (crypto-shredding: copies of their ciphertexts no longer
 * decrypt through the gateway, and their audit pseudonym maps back to nobody; a backup of
 * `subject_keys` from before still opens them while its master key lives). The DSR record is
 * completed and loses the raw subject id. The caller audits before calling this.
 */
export async function completeErasure(deps: ErasureDeps, target: ErasureTarget, now: Date): Promise<ErasureOutcome> {
  const { connection } = deps;
  const { tenant, subject } = target;
  // The pseudonym held records keep: derived from the subject's key, never read from a request record.
  const { ref } = await subjectKeysOf(connection).keyFor(tenant, subject);
  const rules = erasureRules(deps.pack);
  const owned = { tenant, owner: subject };
  const anonymised: Record<string, number> = {};
  const kept: KeptRecords[] = [];
  for (const hold of rules.legalHold) {
    const model = heldModel(connection, hold.collection);
    const count = await anonymiseHeld(model, tenant, subject, ref, hold.keepFields ?? []);
    anonymised[hold.collection] = (anonymised[hold.collection] ?? 0) + count;
    kept.push({ collection: hold.collection, count, reason: hold.reason, source: hold.source });
  }
  const deleted: Record<string, number> = {};
  // Records in the subject's conversations and of the subject's agents go with them, whoever is their stored owner.
  const idsOf = async (model: Model<never>): Promise<string[]> => (await model.find(owned, { _id: 1 }).lean<{ _id: string }[]>().exec()).map((r) => r._id);
  const conversationIds = await idsOf(conversationModel(connection) as unknown as Model<never>);
  const agentIds = await idsOf(agentModel(connection) as unknown as Model<never>);
  const byReference: Readonly<Record<string, Record<string, unknown>>> = {
    messages: { conversationId: { $in: conversationIds } },
    agent_knowledge: { agentId: { $in: agentIds } },
    support_grants: { agentId: { $in: agentIds } },
  };
  const held = new Set<string>(rules.legalHold.map((h) => h.collection));
  // Every collection the export knows holds records about a subject (one list, checked against the
  // models by the export test); the account record goes last, so an erasure cut short is still
  // backed by its sealed ERASURE_PENDING account when the sweeper takes it up again.
  const sources = [...EXPORT_SOURCES.filter((s) => s.collection !== 'users'), ...EXPORT_SOURCES.filter((s) => s.collection === 'users')];
  for (const source of sources) {
    if (held.has(source.collection)) continue;
    const own = { [source.subjectPath]: subject };
    const extra = byReference[source.collection];
    const filter = { tenant, ...(extra ? { $or: [own, extra] } : own) };
    if (source.collection === 'users') {
      // The subject redeemed a minor's guardian token: the minor's confirmation stays, no longer naming them.
      const redeemed = await guardianConfirmationModel(connection).collection.updateMany({ tenant, confirmedBy: subject }, { $set: { confirmedBy: null } });
      if (redeemed.modifiedCount > 0) anonymised.guardian_confirmations = redeemed.modifiedCount;
    }
    const { deletedCount } = await source.model(connection).deleteMany(filter).exec();
    if (deletedCount > 0) deleted[source.collection] = deletedCount;
  }
  if (await subjectKeysOf(connection).destroy(tenant, subject)) deleted.subject_keys = 1;
  // The subject's pending requests are done, and lose the raw subject id.
  await dsrRequestModel(connection)
    .updateMany({ tenant, kind: 'ERASURE', status: 'PENDING', subject }, { $set: { status: 'COMPLETED', completedAt: now, subject: null, deleted, anonymised } })
    .exec();
  deps.logger.info({ tenant, subjectRef: ref }, 'erasure completed');
  return { deleted, anonymised, kept };
}

/** Ends a pending erasure request that did not take effect (the account refused the change). */
export async function rejectErasure(connection: Connection, id: string): Promise<void> {
  await dsrRequestModel(connection).updateOne({ _id: id, status: 'PENDING' }, { $set: { status: 'REJECTED', completedAt: new Date(), subject: null } }).exec();
}

/**
 * Accounts whose erasure is due at `now`, as their sealed state says: ERASURE_PENDING with a sealed
 * due date, which only eraseMyAccount writes (through the sealed writer). Request records are not
 * asked — a database writer can insert, edit or delete those — and a record that does not verify
 * erases no one (it is logged). Oldest due first, at most `limit`.
 */
export async function dueErasures(connection: Connection, logger: Logger, now: Date, limit: number): Promise<ErasureTarget[]> {
  const seal = stateSealOf(connection);
  const rows = await userModel(connection)
    .find({ erasure: 'ERASURE_PENDING', erasureDueAt: { $lte: now } })
    .sort({ erasureDueAt: 1 })
    .limit(limit)
    .lean<(UserDoc & { seal?: string | null })[]>()
    .exec();
  return rows.filter((user) => {
    const verified = seal.verifyUser(user);
    if (!verified) logger.warn({ tenant: user.tenant, subject: user.subject }, 'pending erasure on an account record that does not verify: not carried out');
    return verified;
  }).map((user) => ({ tenant: user.tenant, subject: user.subject }));
}

/** The lease that keeps two instances (or a request and the sweeper) from erasing one subject at once. */
export const erasureLease = (target: ErasureTarget): string =>
  // A hash, so the lease collection never names the subject.
  `erasure:${createHash('sha256').update(JSON.stringify([target.tenant, target.subject])).digest('hex')}`;
export const ERASURE_LEASE_MS = 5 * 60_000;
