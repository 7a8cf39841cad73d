import type { Connection } from 'mongoose';

/**
 * Where instances tell each other what callers spent: `govgate_rate_spend` holds one document per
 * caller key and minute window, `{ _id: "<key hash>:<window>", w: <window>, n: { <instance>: tokens } }`,
 * and `govgate_rate_instances` one heartbeat per running instance, `{ _id: <instance>, beat: <count> }`.
 * Keys are hashes (callers' ids and addresses never reach the database); windows keep every key's
 * documents few and let any instance delete the old ones (no TTL index: the test server has none).
 */
interface SpendDoc {
  _id: string;
  w: number;
  n: Record<string, number>;
}

interface InstanceDoc {
  _id: string;
  beat: number;
}

export const RATE_SPEND_COLLECTION = 'govgate_rate_spend';
export const RATE_INSTANCES_COLLECTION = 'govgate_rate_instances';

/** Ids per query: bounds one `$in`. */
const CHUNK = 1000;

export interface SpendRow {
  readonly id: string;
  readonly window: number;
  readonly tokens: number;
}

export class RateSpendStore {
  private readonly field: string;

  /**
   * @param instance this instance's name in the documents (a field name: characters other than
   *   letters, digits, `_` and `-` are replaced)
   * @param timeoutMs every operation gives up after this long (the driver's own timeout)
   */
  constructor(
    private readonly connection: Connection,
    instance: string,
    private readonly timeoutMs: number,
  ) {
    this.field = instance.replace(/[^A-Za-z0-9_-]/g, '_');
  }

  private get spend() {
    return this.connection.db!.collection<SpendDoc>(RATE_SPEND_COLLECTION);
  }

  private get instances() {
    return this.connection.db!.collection<InstanceDoc>(RATE_INSTANCES_COLLECTION);
  }

  /** The window index: old windows are deleted by it. */
  async ensureIndexes(): Promise<void> {
    await this.spend.createIndex({ w: 1 }, { timeoutMS: this.timeoutMs });
  }

  /** Adds this instance's spend since the last call, one upsert per key. */
  async add(rows: readonly SpendRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.spend.bulkWrite(
      rows.map((row) => ({
        updateOne: { filter: { _id: row.id }, update: { $inc: { [`n.${this.field}`]: row.tokens }, $setOnInsert: { w: row.window } }, upsert: true },
      })),
      { ordered: false, timeoutMS: this.timeoutMs },
    );
  }

  /** What every other instance has spent on each of these documents (absent: nothing yet). */
  async othersSpent(ids: readonly string[]): Promise<Map<string, number>> {
    const spent = new Map<string, number>();
    for (let start = 0; start < ids.length; start += CHUNK) {
      const docs = await this.spend.find({ _id: { $in: ids.slice(start, start + CHUNK) } }, { projection: { n: 1 }, timeoutMS: this.timeoutMs }).toArray();
      for (const doc of docs) {
        let others = 0;
        for (const [instance, tokens] of Object.entries(doc.n ?? {})) if (instance !== this.field && Number.isFinite(tokens) && tokens > 0) others += tokens;
        spent.set(doc._id, others);
      }
    }
    return spent;
  }

  /** Beats this instance's heartbeat and returns every instance's beat count. */
  async beat(): Promise<Map<string, number>> {
    await this.instances.updateOne({ _id: this.field }, { $inc: { beat: 1 } }, { upsert: true, timeoutMS: this.timeoutMs });
    const docs = await this.instances.find({}, { timeoutMS: this.timeoutMs }).toArray();
    return new Map(docs.map((d) => [d._id, Number(d.beat)]));
  }

  get self(): string {
    return this.field;
  }

  /** Deletes the spend of windows before `window`. */
  async sweep(window: number): Promise<void> {
    await this.spend.deleteMany({ w: { $lt: window } }, { timeoutMS: this.timeoutMs });
  }

  /** Deletes the heartbeat of an instance that stopped, only if it has not beaten since. */
  async forget(instance: string, beat: number): Promise<void> {
    await this.instances.deleteOne({ _id: instance, beat }, { timeoutMS: this.timeoutMs });
  }

  /** This instance stops: the others split the burst without it from their next sync. */
  async leave(): Promise<void> {
    await this.instances.deleteOne({ _id: this.field }, { timeoutMS: this.timeoutMs });
  }
}
