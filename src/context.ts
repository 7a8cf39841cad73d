import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { Caller } from './auth/index.js';
import type { GatewayConfig } from './config.js';

/** What every resolver sees. Per-request caches (DataLoaders) hang off it in WeakMaps. */
export interface GatewayContext {
  readonly requestId: string;
  readonly caller: Caller;
  /** X-MIP-Opt-Out / ?mip_opt_out: nothing this request creates may be used to train models. */
  readonly mipOptOut: boolean;
  readonly connection: Connection;
  readonly config: GatewayConfig;
  readonly logger: Logger;
}
