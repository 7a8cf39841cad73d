import type { GatewayContext } from '../../context.js';
import { GovgateError } from '../../errors.js';
import { ageOn } from '../../governance/age.js';
import { parseInput } from '../../validate.js';
import { userModel, type UserDoc } from '../users/index.js';
import { changeUserState } from '../users/user-state-writer.js';
import { PROFILE_FIELDS, profileInputSchema, type ProfileInput } from './profile.inputs.js';
import { requireAccount } from './rights-guard.js';

/**
 * The birth date decides age admission, so it changes only as registration would have admitted it:
 * below the pack's minimum age never, and where a guardian route applies only on an account that
 * already names a guardian (requestGuardianConfirmation first). The check runs on the verified
 * record inside the compare-and-set, so it cannot race another change.
 */
function admitted(ctx: GatewayContext, current: UserDoc, birthDate: Date): void {
  const admission = ctx.pack.ageAdmission(ageOn(birthDate, new Date()));
  const { minimumAge, guardian: route } = ctx.pack.file;
  if (admission === 'refused') {
    throw new GovgateError('AGE_RESTRICTED', `users under ${minimumAge.age} cannot hold an account, whatever a guardian says (${minimumAge.source})`);
  }
  if (admission === 'guardian' && !current.guardian) {
    throw new GovgateError('AGE_RESTRICTED', `users of this age need their guardian's confirmation: name a guardian first (requestGuardianConfirmation) (${route.source})`);
  }
}

/**
 * Art. 16: the caller corrects their own profile. The sealed birth date goes through the sealed
 * state writer (verify, admission, compare-and-set, re-seal); the other fields are not sealed and
 * are set on (tenant, subject). The audit event names the changed coordinates, never their values.
 */
export async function updateMyProfile(ctx: GatewayContext, raw: unknown): Promise<UserDoc> {
  const { caller } = await requireAccount(ctx, 'Mutation.updateMyProfile');
  const input: ProfileInput = parseInput(profileInputSchema, raw);
  const { tenant, subject } = caller;
  for (const field of PROFILE_FIELDS) if (input[field] !== undefined) ctx.governance.noteAccess(`User.${field}`);

  let user: UserDoc | null = null;
  const { birthDate, ...plain } = input;
  if (birthDate !== undefined) {
    user = await changeUserState(ctx, tenant, subject, (current) => {
      admitted(ctx, current, birthDate);
      return { birthDate };
    });
  }
  const set = Object.fromEntries(Object.entries(plain).filter(([, v]) => v !== undefined));
  if (Object.keys(set).length > 0) {
    user = await userModel(ctx.connection).findOneAndUpdate({ tenant, subject }, { $set: set }, { returnDocument: 'after', runValidators: true }).lean<UserDoc>().exec();
  }
  if (!user) throw new GovgateError('BAD_USER_INPUT', 'register an account first');
  return user;
}
