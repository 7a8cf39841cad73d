import { requireAuthenticated } from '../../auth/index.js';
import type { GatewayContext } from '../../context.js';
import { GovgateError } from '../../errors.js';
import { decideWithState, staticVerdict } from '../../governance/decide.js';
import type { GovernedField } from '../../governance/types.js';
import { subjectStates } from '../../runtime/subject-state.js';
import { openContent } from '../../keys/index.js';
import { messageModel, type MessageDoc } from '../conversations/index.js';

/** A message that may be used for training now, and the consent record that makes it so. */
export interface EligibleSample {
  readonly message: MessageDoc;
  /** The content, opened under its owner's key once while deciding (the field returns it). */
  readonly content: string;
  readonly consentId: string;
}

/** Messages read per query while looking for eligible ones, and the most scanned per page. */
const SCAN_BATCH = 200;
const MAX_SCAN_FACTOR = 20;

/**
 * The next `first` messages of the caller's tenant after `after` (message id order) that the
 * decision engine itself releases for the caller's training purpose: consent under the current
 * version of that purpose's terms, not restricted, not objecting, not erased, not a minor under the
 * pack, not opted out (request, account or tenant). Unlike a read, the caller's own messages get no
 * owner shortcut: a sample needs a consent record, whose id it carries. Scans at most
 * `first × 20` messages per page; `next` continues after the last one scanned.
 */
export async function eligibleSamples(ctx: GatewayContext, field: GovernedField, after: string | null, first: number): Promise<{ samples: EligibleSample[]; next: string | null }> {
  const caller = requireAuthenticated(ctx.caller);
  if (!ctx.pack.isTrainingUse(ctx.purpose)) throw new GovgateError('FORBIDDEN', 'trainingSamples serves training purposes only');
  const verdict = staticVerdict(field, caller, ctx.purpose, ctx.pack);
  // Training needs consent (checked when a pack loads); without a consent rule nothing has lineage.
  if (verdict.kind !== 'grant' || verdict.scope !== 'tenant' || verdict.consentPurpose === null) {
    throw new GovgateError('FORBIDDEN', 'trainingSamples needs a role granted private content of the tenant for a consented training purpose');
  }
  const states = subjectStates(ctx);
  const samples: EligibleSample[] = [];
  const limit = first * MAX_SCAN_FACTOR;
  let cursor = after;
  let scanned = 0;
  let exhausted = false;
  while (samples.length < first && scanned < limit) {
    const asked = Math.min(SCAN_BATCH, limit - scanned);
    const batch = await messageModel(ctx.connection)
      .find({ tenant: caller.tenant, ...(cursor ? { _id: { $gt: cursor } } : {}) })
      .sort({ _id: 1 })
      .limit(asked)
      .lean<MessageDoc[]>()
      .exec();
    if (batch.length === 0) {
      exhausted = true;
      break;
    }
    const owners = await Promise.all([...new Set(batch.map((m) => m.owner))].map(async (o) => [o, await states.load(o, true)] as const));
    const stateOf = new Map(owners);
    const allowed = batch.map((message) => {
      const facts = { subject: message.owner, tenant: message.tenant, timestamp: message.createdAt, optedOut: message.mipOptOut };
      return decideWithState(verdict, ctx.purpose, ctx.pack, facts, stateOf.get(message.owner)!, ctx.governance.now).decision === 'ALLOW';
    });
    // Content that does not open under its stated owner's key (moved to another owner in the
    // database) is nobody's sample: it would otherwise be delivered under that owner's consent.
    const opened = await Promise.all(batch.map((m, i) => (allowed[i] ? openContent(ctx, 'messages', 'content', m, m.content) : null)));
    for (const [i, message] of batch.entries()) {
      scanned += 1;
      cursor = message._id;
      const content = opened[i];
      if (content === null || content === undefined) continue;
      samples.push({ message, content, consentId: stateOf.get(message.owner)!.consents.get(verdict.consentPurpose)!.id });
      if (samples.length === first) break;
    }
    // A short batch read to its end: there is nothing after it.
    if (batch.length < asked && cursor === batch[batch.length - 1]!._id) {
      exhausted = true;
      break;
    }
  }
  return { samples, next: exhausted ? null : cursor };
}
