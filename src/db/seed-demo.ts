import type { Connection } from 'mongoose';
import type { Role } from '../auth/index.js';
import { consentModel } from '../features/consents/index.js';
import { conversationModel, messageModel, type MessageRole } from '../features/conversations/index.js';
import { ensureTenant, tenantModel } from '../features/tenants/index.js';
import { userModel } from '../features/users/index.js';
import { seedDemoRecords } from './seed-demo-records.js';

export interface DemoUser {
  subject: string;
  tenant: string;
  roles: Role[];
  displayName: string;
  email: string;
  phone: string;
  birthDate: string;
  country: string;
  conversations?: { title: string; messages: [MessageRole, string][] }[];
}

/** What the start-up banner's curl line and GraphiQL (in development) open with: alice's own data. */
export const DEMO_QUERY = '{ me { id displayName email conversations { title messages { role content } } } }';

/**
 * Two tenants, so isolation can be seen: `demo` with one user per role (and dana's agent, alice's
 * gallery, uploads and payments, everyone's API usage: seed-demo-records.ts), `acme` with one user.
 */
export const DEMO_USERS: readonly DemoUser[] = [
  {
    subject: 'alice', tenant: 'demo', roles: ['user'], displayName: 'Alice Martin', email: 'alice@example.com',
    phone: '+33 6 12 34 56 78', birthDate: '1990-04-12', country: 'FR',
    conversations: [
      { title: 'Trip to Lisbon', messages: [['USER', 'Plan three days in Lisbon for me.'], ['ASSISTANT', 'Day 1: Alfama and the castle…']] },
      { title: 'Cover letter', messages: [['USER', 'Help me write a cover letter for a nursing job.'], ['ASSISTANT', 'Here is a first draft…']] },
    ],
  },
  {
    subject: 'bob', tenant: 'demo', roles: ['user'], displayName: 'Bob Schmidt', email: 'bob@example.org',
    phone: '+49 151 2345 6789', birthDate: '2009-09-30', country: 'DE',
    conversations: [{ title: 'Homework', messages: [['USER', 'Explain photosynthesis simply.'], ['ASSISTANT', 'Plants turn light into sugar…']] }],
  },
  // A developer is also a user of the platform: `user` lets her read her own agents.
  { subject: 'dana', tenant: 'demo', roles: ['user', 'developer'], displayName: 'Dana Developer', email: 'dana@demo.test', phone: '+1 555 0100', birthDate: '1988-01-01', country: 'US' },
  { subject: 'sam', tenant: 'demo', roles: ['support'], displayName: 'Sam Support', email: 'sam@demo.test', phone: '+1 555 0101', birthDate: '1985-02-02', country: 'IE' },
  { subject: 'mia', tenant: 'demo', roles: ['ml_engineer'], displayName: 'Mia ML', email: 'mia@demo.test', phone: '+1 555 0102', birthDate: '1992-03-03', country: 'NL' },
  { subject: 'ana', tenant: 'demo', roles: ['analyst'], displayName: 'Ana Analyst', email: 'ana@demo.test', phone: '+1 555 0103', birthDate: '1991-04-04', country: 'ES' },
  { subject: 'carl', tenant: 'demo', roles: ['compliance_officer'], displayName: 'Carl Compliance', email: 'carl@demo.test', phone: '+1 555 0104', birthDate: '1980-05-05', country: 'DK' },
  { subject: 'tess', tenant: 'demo', roles: ['tenant_admin'], displayName: 'Tess Admin', email: 'tess@demo.test', phone: '+1 555 0105', birthDate: '1983-06-06', country: 'SE' },
  { subject: 'svc-assistant', tenant: 'demo', roles: ['service'], displayName: 'Assistant service', email: 'svc@demo.test', phone: '+1 555 0106', birthDate: '2000-01-01', country: 'US' },
  {
    subject: 'zoe', tenant: 'acme', roles: ['user'], displayName: 'Zoe Acme', email: 'zoe@acme.test',
    phone: '+44 7700 900123', birthDate: '1995-07-07', country: 'GB',
    conversations: [{ title: 'Acme secrets', messages: [['USER', 'Summarise the Q3 roadmap.'], ['ASSISTANT', 'The roadmap has three themes…']] }],
  },
];

/**
 * Idempotent: a second start over the same database changes nothing. Written through the models,
 * so every user and consent record is sealed with the connection's state seal (createGateway
 * installs it; without one the writes are refused).
 */
export async function seedDemoData(connection: Connection, policyVersion: string): Promise<{ created: boolean }> {
  const User = userModel(connection);
  if (await User.exists({ tenant: 'demo', subject: 'alice' })) return { created: false };
  const Tenant = tenantModel(connection);
  for (const tenant of new Set(DEMO_USERS.map((u) => u.tenant))) await ensureTenant(Tenant, tenant);
  const Conversation = conversationModel(connection);
  const Message = messageModel(connection);
  const Consent = consentModel(connection);
  for (const demo of DEMO_USERS) {
    await User.create({
      tenant: demo.tenant, subject: demo.subject, displayName: demo.displayName, email: demo.email, phone: demo.phone,
      birthDate: new Date(`${demo.birthDate}T00:00:00Z`), country: demo.country, policyVersion,
    });
    await Consent.create({ tenant: demo.tenant, subject: demo.subject, purpose: 'essential.service', status: 'GRANTED', policyVersion });
    for (const conv of demo.conversations ?? []) {
      const c = await Conversation.create({ tenant: demo.tenant, owner: demo.subject, title: conv.title });
      await Message.insertMany(
        conv.messages.map(([role, content]) => ({ tenant: demo.tenant, conversationId: c._id, owner: demo.subject, role, content })),
      );
    }
  }
  await seedDemoRecords(connection);
  return { created: true };
}
