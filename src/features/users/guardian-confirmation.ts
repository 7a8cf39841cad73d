import { requireAuthenticated } from '../../auth/index.js';
import type { GatewayContext } from '../../context.js';
import { stateSealOf } from '../../db/connection-seal.js';
import { GovgateError } from '../../errors.js';
import { guardianConfirmationModel, type GuardianConfirmationDoc } from './guardian-confirmation.model.js';
import { deliverToGuardian } from './guardian-outbox.js';
import type { UserDoc } from './user.model.js';
import { changeUserState } from './user-state-writer.js';

/** How long a guardian has to confirm before the child must ask again (requestGuardianConfirmation). */
export const GUARDIAN_TOKEN_TTL_MS = 7 * 86_400_000;
const TOKEN_KIND = 'guardian-confirmation';
/** Longer than any token this gateway makes: refused before any lookup. */
const MAX_TOKEN_LENGTH = 200;

const fieldsOf = (c: Pick<GuardianConfirmationDoc, '_id' | 'tenant' | 'subject' | 'expiresAt'>): Record<string, string> => ({
  id: c._id,
  tenant: c.tenant,
  subject: c.subject,
  expiresAt: c.expiresAt.toISOString(),
});

/** One message for every way a token can fail, so a guesser learns nothing about which. */
const invalidToken = (): GovgateError => new GovgateError('BAD_USER_INPUT', 'token: invalid, expired or replaced by a newer one');

/**
 * Asks the guardian named on the minor's record to confirm: earlier pending requests are replaced,
 * a new record is written and its token left in the outbox for the guardian (never returned to
 * the caller, who is the child).
 */
export async function issueGuardianConfirmation(ctx: GatewayContext, user: UserDoc): Promise<void> {
  if (!user.guardian) throw new GovgateError('INTERNAL_SERVER_ERROR', 'no guardian is named on this account');
  const Confirmation = guardianConfirmationModel(ctx.connection);
  await Confirmation.updateMany({ tenant: user.tenant, subject: user.subject, status: 'PENDING' }, { $set: { status: 'SUPERSEDED' } }).exec();
  const created = (await Confirmation.create({ tenant: user.tenant, subject: user.subject, expiresAt: new Date(Date.now() + GUARDIAN_TOKEN_TTL_MS) })).toObject();
  const token = `${created._id}.${stateSealOf(ctx.connection).token(TOKEN_KIND, fieldsOf(created))}`;
  await deliverToGuardian(ctx.config, {
    id: created._id,
    to: user.guardian.email,
    guardianName: user.guardian.name,
    childName: user.displayName,
    tenant: user.tenant,
    token,
    expiresAt: created.expiresAt,
  });
}

export interface GuardianConfirmationResult {
  status: 'CONFIRMED';
  confirmedAt: Date;
}

/**
 * The guardian redeems their token with an account of their own in the same tenant: the token's
 * MAC must match its record, the record be pending and unexpired, and the caller must not be the
 * child. The child's record then gets `guardian.consent: true` through the sealed compare-and-set
 * writer. Redeeming an already confirmed token again changes nothing.
 */
export async function redeemGuardianToken(ctx: GatewayContext, token: string): Promise<GuardianConfirmationResult> {
  const caller = requireAuthenticated(ctx.caller);
  const dot = token.indexOf('.');
  if (token.length > MAX_TOKEN_LENGTH || dot <= 0) throw invalidToken();
  const Confirmation = guardianConfirmationModel(ctx.connection);
  const record = await Confirmation.findOne({ _id: token.slice(0, dot), tenant: caller.tenant }).lean<GuardianConfirmationDoc>().exec();
  if (!record || !(record.expiresAt instanceof Date)) throw invalidToken();
  if (!stateSealOf(ctx.connection).verifyToken(TOKEN_KIND, fieldsOf(record), token.slice(dot + 1))) {
    ctx.logger.warn({ tenant: record.tenant, confirmation: record._id, requestId: ctx.requestId }, 'guardian token does not match its record');
    throw invalidToken();
  }
  if (record.subject === caller.subject) throw new GovgateError('FORBIDDEN', 'a guardian\'s consent cannot be confirmed from the account it is for');
  if (record.status === 'CONFIRMED' && record.confirmedAt) return { status: 'CONFIRMED', confirmedAt: record.confirmedAt };
  const now = new Date();
  if (record.status !== 'PENDING' || record.expiresAt.getTime() <= now.getTime()) throw invalidToken();
  const updated = await changeUserState(ctx, record.tenant, record.subject, (current) => {
    if (!current.guardian) throw invalidToken();
    return { guardian: { ...current.guardian, consent: true, confirmedAt: now, confirmedBy: caller.subject } };
  });
  if (!updated) throw invalidToken();
  await Confirmation.updateOne({ _id: record._id, status: 'PENDING' }, { $set: { status: 'CONFIRMED', confirmedAt: now, confirmedBy: caller.subject } }).exec();
  return { status: 'CONFIRMED', confirmedAt: now };
}
