import type { Connection } from 'mongoose';
import { stateSealOf } from '../../db/connection-seal.js';
import { sealSupportGrant, supportGrantModel, verifySupportGrant, type SupportGrantDoc } from './support-grant.model.js';

export interface GrantScope {
  readonly tenant: string;
  /** The developer who granted. */
  readonly owner: string;
  readonly agentId: string;
}

/**
 * Ends every grant of one agent still running at `at` by moving its expiry to `at`: each grant
 * is verified, then rewritten with a new seal only if it is still exactly what was verified (a
 * compare-and-set on every sealed field), so a grant a database writer changed is never
 * re-sealed. A grant that does not verify is left alone: decisions already count it as absent.
 * Resolves to the number of grants ended.
 */
export async function endSupportGrants(connection: Connection, scope: GrantScope, at: Date): Promise<number> {
  const Grant = supportGrantModel(connection);
  const seal = stateSealOf(connection);
  const running = await Grant.find({ tenant: scope.tenant, owner: scope.owner, agentId: scope.agentId, expiresAt: { $gt: at } }).lean<SupportGrantDoc[]>().exec();
  let ended = 0;
  for (const grant of running) {
    if (!verifySupportGrant(seal, grant)) continue;
    const { seal: verifiedSeal, ...fields } = grant;
    const updated = await Grant.findOneAndUpdate(
      { ...fields, seal: verifiedSeal },
      { $set: { expiresAt: at, seal: sealSupportGrant(seal, { ...fields, expiresAt: at }) } },
      { returnDocument: 'after' },
    )
      .lean<SupportGrantDoc>()
      .exec();
    if (updated) ended += 1;
  }
  return ended;
}
