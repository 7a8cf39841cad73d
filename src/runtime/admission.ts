import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import { isAuthenticated, type Caller, type Verifier } from '../auth/index.js';
import { GovgateError, isGovgateError } from '../errors.js';
import type { PolicyPack } from '../governance/packs/index.js';
import { isPurpose } from '../governance/taxonomy/index.js';
import type { GatewayMetrics } from '../metrics.js';
import { clientNetworkOf, clientOf, mipOptOutOf, peerAddressOf, requestIdOf } from '../request-meta.js';
import type { Limiter } from '../security/index.js';
import type { AuditHandOff } from './audit-hand-off.js';
import { resolvePurpose } from './purpose.js';
import { refusalResponse } from './refusal-response.js';

/** What admission established about a request, before its body was parsed. */
export interface Admitted {
  readonly requestId: string;
  readonly caller: Caller;
  /** Checked against the taxonomy, the pack and the token. */
  readonly purpose: string;
  readonly client: string | null;
  readonly mipOptOut: boolean;
}

export interface AdmissionOptions {
  verifier: Verifier;
  pack: PolicyPack;
  limiter: Limiter;
  handOff: AuditHandOff;
  metrics: GatewayMetrics;
  logger: Logger;
  /** Path admitted (others pass untouched). Default '/graphql'. */
  graphqlEndpoint?: string;
}

export interface Admission {
  readonly plugin: Plugin;
  /** The admission of a request that reached the context factory; undefined means it never passed admission. */
  of(request: Request): Admitted | undefined;
}

const rateLimited = (waitS: number): GovgateError =>
  new GovgateError('RATE_LIMITED', 'too many requests; slow down', { extensions: { http: { headers: { 'retry-after': String(Math.max(1, Math.ceil(waitS))) } } } });

/** Anonymous callers and bad tokens are charged to their network (an IPv6 /64), not to one address of it. */
const peerOf = (serverContext: unknown): string => {
  const address = peerAddressOf(serverContext);
  return `peer:${address === undefined ? 'local' : clientNetworkOf(address)}`;
};

/**
 * Step 1 of a request, in Yoga's onRequest, before the body is read or parsed: authenticate the
 * token, charge the caller's rate limit (the peer address for anonymous callers and bad tokens),
 * check the declared purpose. A refusal here costs no parse, no validation and — for anonymous
 * callers — no write: it is counted in `govgate_refused_requests_total`. An authenticated caller's
 * refused purpose is audited (rate-limited refusals are not: a flood must not become writes).
 */
export function createAdmission(options: AdmissionOptions): Admission {
  const { verifier, pack, limiter, handOff, metrics, logger, graphqlEndpoint = '/graphql' } = options;
  const admitted = new WeakMap<Request, Admitted>();
  const refuse = (request: Request, endResponse: (r: Response) => void, error: GovgateError): void => {
    metrics.refused.inc({ code: error.code });
    if (error.code === 'RATE_LIMITED') metrics.rateLimited.inc();
    endResponse(refusalResponse(request, error));
  };

  const plugin: Plugin = {
    async onRequest({ request, url, serverContext, endResponse }) {
      if (url.pathname !== graphqlEndpoint) return;
      // The schema takes no uploads: a multipart body is refused before anything reads it.
      if (request.headers.get('content-type')?.toLowerCase().startsWith('multipart/')) {
        return refuse(request, endResponse, new GovgateError('BAD_USER_INPUT', 'multipart bodies are not accepted; send application/json', { status: 415 }));
      }
      const peer = peerOf(serverContext);
      let caller: Caller;
      try {
        caller = await verifier.authenticate(request.headers.get('authorization'));
      } catch (error) {
        const wait = limiter.take(peer);
        if (wait > 0) return refuse(request, endResponse, rateLimited(wait));
        if (isGovgateError(error)) return refuse(request, endResponse, error);
        logger.error({ err: { message: (error as Error).message } }, 'authentication failed unexpectedly');
        return refuse(request, endResponse, new GovgateError('INTERNAL_SERVER_ERROR', 'unexpected error'));
      }
      const wait = limiter.take(isAuthenticated(caller) ? `caller:${caller.tenant}/${caller.subject}` : peer);
      if (wait > 0) return refuse(request, endResponse, rateLimited(wait));
      const requestId = requestIdOf(request);
      const client = clientOf(request);
      let purpose: string;
      try {
        purpose = resolvePurpose(request.headers.get('x-purpose'), caller, pack);
      } catch (error) {
        if (!isGovgateError(error)) throw error;
        if (isAuthenticated(caller)) {
          const declared = request.headers.get('x-purpose')?.trim() ?? null;
          const written = await handOff.refusal({ requestId, caller, client, purpose: declared && isPurpose(declared) ? declared : null }, error.code);
          if (!written) {
            logger.warn({ requestId }, 'refused request not audited: audit store unavailable');
            metrics.auditUnavailable.inc({ stage: 'refusal' });
          }
        }
        return refuse(request, endResponse, error);
      }
      admitted.set(request, { requestId, caller, purpose, client, mipOptOut: mipOptOutOf(request) });
    },
  };
  return { plugin, of: (request) => admitted.get(request) };
}
