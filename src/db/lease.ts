import type { Connection } from 'mongoose';

/** One named lease document per periodic job, shared by every gateway instance on the database. */
interface LeaseDoc {
  _id: string;
  holder: string;
  until: Date;
}

const COLLECTION = 'govgate_leases';
const DUPLICATE_KEY = 11000;

/**
 * Takes (or renews) the lease `name` for `holder` until `now + ttlMs`, if it is free, expired, or
 * already this holder's: so one instance at a time runs a periodic job across replicas. False when
 * another holder has it. A holder that dies loses it when it expires.
 */
export async function acquireLease(connection: Connection, name: string, holder: string, ttlMs: number, now: Date): Promise<boolean> {
  const leases = connection.db!.collection<LeaseDoc>(COLLECTION);
  try {
    const taken = await leases.findOneAndUpdate(
      { _id: name, $or: [{ until: { $lt: now } }, { holder }] },
      { $set: { holder, until: new Date(now.getTime() + ttlMs) } },
      { upsert: true, returnDocument: 'after' },
    );
    return taken?.holder === holder;
  } catch (error) {
    // The lease exists and is another's: the upsert collided with its _id.
    if ((error as { code?: number }).code === DUPLICATE_KEY) return false;
    throw error;
  }
}

/** Gives the lease back early (only if this holder still has it). */
export async function releaseLease(connection: Connection, name: string, holder: string): Promise<void> {
  await connection.db!.collection<LeaseDoc>(COLLECTION).deleteOne({ _id: name, holder });
}

export const LEASE_COLLECTION = COLLECTION;
