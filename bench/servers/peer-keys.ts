/**
 * Storage encryption in the peer variants. The data set's content is stored encrypted under
 * per-subject data keys (src/keys), so a team without govgate reading the same database would
 * have to decrypt too: the peers get the run's MASTER_KEY_FILE, their own SubjectKeyStore over it
 * (the gateway's cache defaults), and open fields with govgate's openContent (one batched key load
 * per request). Decryption is then a cost every variant pays alike; governance is what differs.
 */
import { readFile } from 'node:fs/promises';
import type { Connection } from 'mongoose';
import { installSubjectKeys, localKeyService, parseMasterKey, SubjectKeyStore } from '../../src/keys/index.js';

/** Installed on the peer's connection, so addMessage encrypts through the model as the gateway's does. */
export async function installPeerKeys(connection: Connection, masterKeyFile: string): Promise<void> {
  const masterKey = parseMasterKey(await readFile(masterKeyFile, 'utf8'));
  installSubjectKeys(connection, new SubjectKeyStore(connection, localKeyService(masterKey)));
}
