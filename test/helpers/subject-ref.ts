import type { Connection } from 'mongoose';
import { refOfSubject } from '../../src/audit/index.js';
import { subjectKeysOf } from '../../src/keys/index.js';

/** The pseudonym stored audit events name this subject by (it must have a key). */
export async function subjectRef(connection: Connection, tenant: string, subject: string): Promise<string> {
  const ref = await refOfSubject(subjectKeysOf(connection), tenant, subject);
  if (!ref) throw new Error(`no subject key for ${tenant}/${subject}`);
  return ref;
}
