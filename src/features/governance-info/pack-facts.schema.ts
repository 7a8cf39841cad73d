import { builder } from '../../builder.js';
import type { PackFacts } from '../../governance/packs/pack-facts.js';

type SubProcessor = PackFacts['subProcessors'][number];

const Clause = { description: 'The clause of the pack\'s document this rests on.' };

const SubProcessorRef = builder.objectRef<SubProcessor>('PackSubProcessor').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    country: t.exposeString('country', { nullable: true, description: 'Null: the document does not say.' }),
    purpose: t.exposeString('purpose'),
    source: t.exposeString('source', Clause),
  }),
});

/**
 * What the active pack's document says of the processing as a whole. A fact it does not state is
 * null ("not stated"), never a default.
 */
export const PackFactsRef = builder.objectRef<PackFacts>('PackFacts').implement({
  description: "Facts of the policy pack's document: law, role, controller, DPO, sub-processors, transfers, breach notice.",
  fields: (t) => ({
    documentTitle: t.string({ resolve: (f) => f.document.title }),
    seed: t.string({ description: 'The seed document (000–004).', resolve: (f) => f.document.seed }),
    documentLanguage: t.string({ resolve: (f) => f.document.language }),
    lastUpdated: t.string({ nullable: true, resolve: (f) => f.document.lastUpdated }),
    law: t.string({ resolve: (f) => f.jurisdiction.law }),
    framework: t.string({ description: 'GDPR, PIPL or RU-152-FZ.', resolve: (f) => f.jurisdiction.framework }),
    country: t.string({ resolve: (f) => f.jurisdiction.country }),
    jurisdictionSource: t.string({ resolve: (f) => f.jurisdiction.source }),
    role: t.string({ description: 'controller or processor.', resolve: (f) => f.role.role }),
    roleSource: t.string({ resolve: (f) => f.role.source }),
    controllerName: t.string({ nullable: true, resolve: (f) => f.controller.name }),
    controllerAddress: t.string({ nullable: true, resolve: (f) => f.controller.address }),
    controllerContact: t.string({ nullable: true, resolve: (f) => f.controller.contact }),
    controllerSource: t.string({ resolve: (f) => f.controller.source }),
    dpoContact: t.string({ nullable: true, resolve: (f) => f.dpo?.contact ?? null }),
    subProcessors: t.field({ type: [SubProcessorRef], resolve: (f) => f.subProcessors }),
    residency: t.string({ nullable: true, description: 'Where data must stay (ISO country), null: not stated.', resolve: (f) => f.transfers.residency }),
    transferSafeguards: t.stringList({ resolve: (f) => f.transfers.safeguards }),
    transfersSource: t.string({ resolve: (f) => f.transfers.source }),
    breachNotice: t.string({ nullable: true, resolve: (f) => f.breachNotice?.statement ?? null }),
    breachNoticeSource: t.string({ nullable: true, resolve: (f) => f.breachNotice?.source ?? null }),
  }),
});
