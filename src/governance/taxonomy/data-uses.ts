import { extension, fideslang, type TaxonomyRecord } from './taxonomy-record.js';

const V2 = '2.0.0';

/** Purposes: fideslang data uses (all unchanged since 2.0.0). Every parent of a key is a record too. */
export const DATA_USES: readonly TaxonomyRecord[] = Object.freeze([
  fideslang('essential', 'Essential', 'Operates the service or product, including legal obligations, support and basic system operations.', V2),
  fideslang('essential.service', 'Essential for Service', 'Provides the essential product, service, application or system, without which the product/service would not be possible.', V2),
  fideslang('essential.service.authentication', 'Essential Service Authentication', 'Authenticate users to the product, service, application or system.', V2),
  fideslang('essential.service.payment_processing', 'Essential for Payment Processing', 'Essential to processes payments for the product, service, application or system.', V2),
  fideslang('essential.service.security', 'Essential for Security', 'Essential to provide security for the product, service, application or system', V2),
  fideslang('essential.service.operations', 'Essential for Operations', 'Essential to ensure the operation of the product, service, application or system.', V2),
  fideslang('essential.service.operations.support', 'Essential for Operations Support', 'Provides support for the product, service, application or system.', V2),
  fideslang('essential.legal_obligation', 'Essential Legal Obligation', 'Provides service to meet a legal or compliance obligation such as consent management.', V2),
  fideslang('analytics', 'Analytics', 'Provides analytics for activities such as system and advertising performance reporting, insights and fraud detection.', V2),
  fideslang('analytics.reporting', 'Analytics for Reporting', 'Provides analytics for general reporting such as system and advertising performance.', V2),
  fideslang('functional', 'Functional', 'Used for specific, necessary, and legitimate purposes', V2),
  fideslang('functional.service', 'Service', 'Functions relating to provided services, products, applications or systems.', V2),
  fideslang('functional.service.improve', 'Improve Service', 'Improves the specific product, service, application or system.', V2),
  fideslang('personalize', 'Personalize', 'Personalizes the product, service, application or system.', V2),
  fideslang('marketing', 'Marketing', 'Enables marketing, promotion, advertising and sales activities for the product, service, application or system.', V2),
  fideslang('marketing.communications', 'Marketing Communications', 'Uses combined channels to message and market to a customer, user or prospect.', V2),
  fideslang('train_ai_system', 'Train AI System', 'Trains an AI system or data model for machine learning.', V2),
  // 003 §3 tells first-party training from training of third parties' models; fideslang has one key for both.
  extension('train_ai_system.third_party', 'Train a Third Party\'s AI System', "Trains an AI system or model of a third party (outside the controller's own models) on the data."),
  fideslang('third_party_sharing', 'Third Party Sharing', "Transfers data to third parties outside of the system or service's scope.", V2),
]);
