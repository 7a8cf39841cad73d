/**
 * A gateway under one shipped seed pack (POLICY_PACK=<name>, the real schema/policies), and the
 * few steps every clause test needs: register a subject, give them a conversation, consent.
 */
import { expect } from 'vitest';
import { AddMessageDocument, GrantConsentDocument, RegisterAccountDocument, StartConversationDocument } from '../generated/graphql.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

export interface PackHarness {
  readonly t: TestGateway;
  readonly tenant: string;
  as(sub: string, roles: string[]): Promise<string>;
  /** Registers `sub` (an adult unless a birth date is given) with one conversation holding `content`. */
  subject(sub: string, content: string, options?: { birthDate?: string; headers?: Record<string, string> }): Promise<{ token: string; conversationId: string }>;
  consent(sub: string, purpose: string): Promise<void>;
  close(): Promise<void>;
}

export async function packHarness(pack: string, name: string): Promise<PackHarness> {
  const t = await startTestGateway({ name, env: { POLICY_PACK: pack } });
  const tenant = `pack-${pack}`;
  const as = (sub: string, roles: string[]) => t.token(sub, tenant, roles);
  return {
    t,
    tenant,
    as,
    async subject(sub, content, options = {}) {
      const token = await as(sub, ['user']);
      const registered = await t.execute(
        RegisterAccountDocument,
        { input: { displayName: `Person ${sub}`, email: `${sub}@example.com`, phone: '+44 20 7946 0958', birthDate: options.birthDate ?? '1985-06-07', country: 'NL' } },
        { token },
      );
      expect(registered.errors).toBeUndefined();
      const started = await t.execute(StartConversationDocument, { title: `${sub} title` }, { token, ...(options.headers ? { headers: options.headers } : {}) });
      const conversationId = started.data!.startConversation.id;
      const added = await t.execute(AddMessageDocument, { conversationId, role: 'USER', content }, { token, ...(options.headers ? { headers: options.headers } : {}) });
      expect(added.errors).toBeUndefined();
      return { token, conversationId };
    },
    async consent(sub, purpose) {
      const res = await t.execute(GrantConsentDocument, { purpose }, { token: await as(sub, ['user']) });
      expect(res.errors).toBeUndefined();
    },
    close: () => t.close(),
  };
}

/** The reasons the response lists for a path prefix. */
export const reasonsAt = (extensions: Record<string, unknown> | undefined, prefix: (string | number)[]): string[] =>
  (((extensions?.governance as { redactions?: { path: (string | number)[]; reason: string }[] } | undefined)?.redactions ?? []).filter((r) => prefix.every((p, i) => r.path[i] === p))).map((r) => r.reason);
