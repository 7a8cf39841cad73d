import './governance-info.schema.js';
