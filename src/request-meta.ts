import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIPv6 } from 'node:net';

const requestIdPattern = /^[A-Za-z0-9._:-]{8,64}$/;

const ids = new WeakMap<Request, string>();

/**
 * A client-supplied X-Request-Id is kept when it is well-formed (for tracing), else a new one; the
 * same for every asker of one request (admission, the audit, the access log, the response header).
 */
export function requestIdOf(request: Request): string {
  let id = ids.get(request);
  if (id === undefined) {
    const given = request.headers.get('x-request-id');
    id = given && requestIdPattern.test(given) ? given : randomUUID();
    ids.set(request, id);
  }
  return id;
}

const truthy = (value: string | null): boolean => value !== null && /^(true|1|yes)$/i.test(value.trim());

/** X-MIP-Opt-Out: true or ?mip_opt_out=true (interhuman's model-improvement programme, 001). */
export function mipOptOutOf(request: Request): boolean {
  if (truthy(request.headers.get('x-mip-opt-out'))) return true;
  const query = request.url.indexOf('?');
  return query >= 0 && truthy(new URLSearchParams(request.url.slice(query + 1)).get('mip_opt_out'));
}

/** The client's product token (first word of User-Agent), for the audit actor; never the full header. */
export function clientOf(request: Request): string | null {
  const agent = request.headers.get('user-agent');
  const token = agent?.split(/\s/, 1)[0]?.slice(0, 64);
  return token && /^[\x21-\x7e]+$/.test(token) ? token : null;
}

/** The TCP peer's address when the request came through node:http (Yoga's server context), else undefined. */
export function peerAddressOf(serverContext: unknown): string | undefined {
  return (serverContext as { req?: IncomingMessage } | undefined)?.req?.socket.remoteAddress;
}

/**
 * The client a peer address stands for, as far as a limit can tell: an IPv4 address (also written
 * IPv4-mapped, `::ffff:192.0.2.1`), or an IPv6 address's /64, the least a host or site is given,
 * so that taking another address of it does not make another client.
 */
export function clientNetworkOf(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!isIPv6(address)) return address;
  const bare = address.split('%')[0]!.toLowerCase();
  // An embedded IPv4 tail (`::1.2.3.4`) fills two groups; it never reaches the first four here.
  const groups = (part: string): string[] => (part === '' ? [] : part.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g])));
  const [head = '', tail] = bare.split('::');
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const full = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${full.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`;
}

const LOOPBACK_PEERS: ReadonlySet<string> = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * A caller on this machine: a loopback peer (not the network, e.g. a port published by Docker)
 * that names a loopback host (not a page of another site whose name was rebound to 127.0.0.1).
 * Development hands demo tokens to such a caller only.
 */
export function fromThisMachine(request: Request, serverContext: unknown): boolean {
  const peer = peerAddressOf(serverContext);
  const host = request.headers.get('host')?.toLowerCase().replace(/:\d+$/, '');
  return peer !== undefined && LOOPBACK_PEERS.has(peer) && host !== undefined && LOOPBACK_HOSTS.has(host);
}
