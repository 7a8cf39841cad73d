import type { Connection } from 'mongoose';
import { agentModel, knowledgeModel } from '../features/agents/index.js';
import { galleryImageModel } from '../features/gallery/index.js';
import { mediaUploadModel } from '../features/media/index.js';
import { transactionModel } from '../features/payments/index.js';
import { apiUsageModel } from '../features/usage/index.js';

const tenant = 'demo';
const DAY_MS = 86_400_000;

/** Who called which model how often (the last two days): enough subjects for some statistics groups, too few for others. */
const USAGE: readonly [subject: string, model: string, calls: number][] = [
  ['alice', 'gpt-4o', 3], ['bob', 'gpt-4o', 2], ['dana', 'gpt-4o', 4], ['sam', 'gpt-4o', 1], ['mia', 'gpt-4o', 2],
  ['ana', 'gpt-4o', 1], ['alice', 'diffusion-xl', 2], ['dana', 'diffusion-xl', 1],
];

/**
 * The demo tenant's agents, gallery, uploads, API usage and payments, written through the models
 * (gallery visibility is sealed like subject state). Part of seedDemoData: runs once per database.
 */
export async function seedDemoRecords(connection: Connection): Promise<void> {
  const agent = await agentModel(connection).create({
    tenant, owner: 'dana', name: 'Refund helper',
    instructions: 'You answer refund questions for Demo Shop. Never promise more than the policy allows; escalate disputes to a human.',
  });
  await knowledgeModel(connection).create([
    { tenant, agentId: agent._id, owner: 'dana', title: 'Refund policy', content: 'Refunds within 30 days with a receipt; store credit after that.' },
    { tenant, agentId: agent._id, owner: 'dana', title: 'Escalation', content: 'Disputes over 200 EUR go to the duty manager.' },
  ]);
  await galleryImageModel(connection).create([
    { tenant, owner: 'alice', prompt: 'A lighthouse at dusk, watercolour', imageUrl: 'https://cdn.demo.test/gallery/lighthouse.png', visibility: 'PUBLIC' },
    { tenant, owner: 'alice', prompt: 'My grandmother\'s kitchen, as I remember it', imageUrl: 'https://cdn.demo.test/gallery/kitchen.png' },
  ]);
  await mediaUploadModel(connection).create([
    { tenant, owner: 'alice', kind: 'VOICE', contentType: 'audio/ogg', location: 'uploads/alice/voice-note-1.ogg', durationSeconds: 14.2, transcript: 'Remind me to call the pharmacy tomorrow.' },
    { tenant, owner: 'alice', kind: 'IMAGE', contentType: 'image/jpeg', location: 'uploads/alice/avatar.jpg' },
  ]);
  const now = Date.now();
  await apiUsageModel(connection).insertMany(
    USAGE.flatMap(([owner, model, calls]) =>
      Array.from({ length: calls }, (_, i) => ({
        tenant, owner, model, operation: model.startsWith('gpt') ? 'POST /v1/chat' : 'POST /v1/images', statusCode: 200, latencyMs: 300 + 40 * i,
        ipAddress: '198.51.100.23', userAgent: 'Mozilla/5.0 (Macintosh)', createdAt: new Date(now - (i % 2) * DAY_MS),
      })),
    ),
  );
  await transactionModel(connection).create([
    { tenant, owner: 'alice', amount: 999, currency: 'EUR', status: 'SUCCEEDED' },
    { tenant, owner: 'alice', amount: 999, currency: 'EUR', status: 'REFUNDED' },
    { tenant, owner: 'dana', amount: 4900, currency: 'USD', status: 'SUCCEEDED' },
  ]);
}
