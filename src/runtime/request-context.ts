import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { AuditServices } from '../audit/index.js';
import type { GatewayConfig } from '../config.js';
import type { GatewayContext } from '../context.js';
import { GovgateError } from '../errors.js';
import type { PolicyPack } from '../governance/packs/index.js';
import type { Pseudonymizer } from '../governance/redact/index.js';
import type { Admission } from './admission.js';
import { RequestGovernance } from './request-governance.js';

export interface ContextDeps {
  admission: Admission;
  pack: PolicyPack;
  pseudonymizer: Pseudonymizer;
  audit: AuditServices;
  connection: Connection;
  config: GatewayConfig;
  logger: Logger;
}

/**
 * Step 3: the typed context of one operation (after parse and validation), from what admission
 * established, with the request's governance on it.
 */
export function createContextFactory(deps: ContextDeps): (init: { request: Request }) => GatewayContext {
  const { admission, pack, pseudonymizer, audit, connection, config, logger } = deps;
  return ({ request }) => {
    const admitted = admission.of(request);
    // Fail closed: nothing executes that did not pass admission.
    if (!admitted) throw new GovgateError('INTERNAL_SERVER_ERROR', 'request was not admitted');
    return {
      ...admitted,
      pack,
      governance: new RequestGovernance({
        caller: admitted.caller,
        purpose: admitted.purpose,
        pack,
        pseudonymizer,
      }),
      audit,
      connection,
      config,
      logger,
    };
  };
}
