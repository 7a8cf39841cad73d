import type { Connection } from 'mongoose';
import { encryptField, subjectKeysOf } from '../../src/keys/index.js';

/** The content fields the models store encrypted, by collection. */
export const ENCRYPTED_PATHS = {
  conversations: ['title'],
  messages: ['content'],
  agents: ['instructions'],
  agent_knowledge: ['title', 'content'],
  gallery_images: ['prompt', 'imageUrl'],
  media_uploads: ['location', 'transcript'],
} as const;

type Raw = { _id: unknown; tenant: string; owner: string } & Record<string, unknown>;

/**
 * Raw documents (tests insert with the driver to set ids and dates) with their content encrypted
 * as the gateway would write it: under the owner's data key, bound to the record.
 */
export async function encrypted<T extends Raw>(connection: Connection, collection: keyof typeof ENCRYPTED_PATHS, docs: readonly T[]): Promise<T[]> {
  const keys = subjectKeysOf(connection);
  return Promise.all(docs.map(async (doc) => {
    const { key } = await keys.keyFor(doc.tenant, doc.owner);
    const out: Record<string, unknown> = { ...doc };
    for (const path of ENCRYPTED_PATHS[collection]) {
      const value = doc[path];
      if (typeof value === 'string') out[path] = encryptField(key, { tenant: doc.tenant, owner: doc.owner, field: `${collection}.${path}`, recordId: String(doc._id) }, value);
    }
    return out as T;
  }));
}
