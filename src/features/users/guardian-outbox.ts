import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GatewayConfig } from '../../config.js';

/** What the guardian is sent: enough to know whose account it is and how to confirm. */
export interface GuardianMessage {
  readonly id: string;
  readonly to: string;
  readonly guardianName: string;
  readonly childName: string;
  readonly tenant: string;
  /** The one-time token; only this message carries it. */
  readonly token: string;
  readonly expiresAt: Date;
}

// One per test process: tests that read the outbox set GUARDIAN_OUTBOX_DIR themselves.
let testDir: Promise<string> | undefined;

/** GUARDIAN_OUTBOX_DIR, else <state dir>/guardian-outbox; in tests a temporary directory. */
function outboxDirFor(config: GatewayConfig): Promise<string> {
  if (config.guardianOutboxDir) return Promise.resolve(config.guardianOutboxDir);
  if (config.env === 'test') return (testDir ??= mkdtemp(join(tmpdir(), 'govgate-guardian-outbox-')));
  return Promise.resolve(join(config.stateDir, 'guardian-outbox'));
}

/**
 * govgate sends no mail itself: it leaves each message as `<id>.json` (0600) in the outbox, for a
 * mail relay to send and remove. The token is in this file only — never in the database, a log or
 * the audit record — so the child who registered never sees it.
 */
export async function deliverToGuardian(config: GatewayConfig, message: GuardianMessage): Promise<void> {
  const dir = await outboxDirFor(config);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const body = {
    kind: 'guardian-confirmation',
    to: message.to,
    guardianName: message.guardianName,
    childName: message.childName,
    tenant: message.tenant,
    token: message.token,
    expiresAt: message.expiresAt.toISOString(),
    howToConfirm: 'Sign in with your own account (not the child\'s) and call the mutation confirmGuardianConsent(token: <token>).',
  };
  await writeFile(join(dir, `${message.id}.json`), `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
}
