import './consent.schema.js';

export { consentModel, type ConsentDoc, type ConsentModel, type ConsentStatus } from './consent.model.js';
