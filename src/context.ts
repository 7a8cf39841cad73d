import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { AuditServices } from './audit/index.js';
import type { Caller } from './auth/index.js';
import type { GatewayConfig } from './config.js';
import type { PolicyPack } from './governance/packs/index.js';
import type { RequestGovernance } from './runtime/request-governance.js';

/** What every resolver sees: one per executed operation. DataLoaders hang off it in WeakMaps (src/per-request.ts). */
export interface GatewayContext {
  readonly requestId: string;
  readonly caller: Caller;
  /** The declared (or role-default) purpose, already checked against the pack and the token. */
  readonly purpose: string;
  /** X-MIP-Opt-Out / ?mip_opt_out: nothing this request creates may be used to train models. */
  readonly mipOptOut: boolean;
  readonly pack: PolicyPack;
  /** Client product token from User-Agent, for the audit actor. */
  readonly client: string | null;
  /** This request's governance: its plan once execution starts, every decision, every redaction, its audit id. */
  readonly governance: RequestGovernance;
  readonly audit: AuditServices;
  readonly connection: Connection;
  readonly config: GatewayConfig;
  readonly logger: Logger;
}
