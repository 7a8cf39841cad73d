import { randomBytes } from 'node:crypto';
import { shouldRenderGraphiQL, type GraphiQLOptions, type Plugin } from 'graphql-yoga';
import { fromThisMachine } from '../request-meta.js';

/** What the page opens with; computed per page load (a prefilled token is minted for each). */
export type GraphiQLPrefill = Pick<GraphiQLOptions, 'defaultHeaders' | 'defaultQuery'>;

export interface GraphiQLPageOptions {
  /** Where the page is served (GET with Accept: text/html) and where it sends operations. Default '/graphql'. */
  endpoint?: string;
  /** Page title. Default 'govgate'. */
  title?: string;
  /**
   * What the editors open with, for a caller on this machine only (a loopback peer naming a
   * loopback host: it may hold a token). Default: nothing prefilled.
   */
  prefill?: () => Promise<GraphiQLPrefill>;
}

/**
 * The page's policy: its script and styles are inline (@graphql-yoga/render-graphiql bundles
 * GraphiQL, fonts and icons as data: URIs), Monaco's workers are blob: URLs, and it talks only to
 * this origin. No other host is reachable from it.
 */
const policy = (nonce: string): string =>
  [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    // Monaco sets style attributes and adds <style> elements at run time.
    "style-src 'unsafe-inline'",
    'img-src data:',
    'font-src data:',
    "connect-src 'self'",
    'worker-src blob:',
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');

/** The page's one inline script is the first <script> after its one <style>, which cannot contain "</style>". */
function withNonce(html: string, nonce: string): string {
  const at = html.indexOf('<script>', html.indexOf('</style>'));
  if (at < 0) throw new Error('GraphiQL page without its inline script');
  return `${html.slice(0, at)}<script nonce="${nonce}">${html.slice(at + '<script>'.length)}`;
}

let renderer: Promise<(options?: GraphiQLOptions) => string> | undefined;

/**
 * GraphiQL served from this process, with no request to any CDN (it works offline), under a
 * per-page nonce Content-Security-Policy. Put it after admission: the page needs no token (an
 * anonymous caller is admitted), and each load, some 9 MB, is charged to the caller's rate limit.
 */
export function useGraphiQLPage(options: GraphiQLPageOptions = {}): Plugin {
  const { endpoint = '/graphql', title = 'govgate', prefill } = options;
  return {
    async onRequest({ request, url, serverContext, endResponse }) {
      if (url.pathname !== endpoint || !shouldRenderGraphiQL(request)) return;
      // ~9 MB of inlined assets: loaded on the first page request, never when GraphiQL is off.
      renderer ??= import('@graphql-yoga/render-graphiql').then((m) => m.renderGraphiQL);
      const render = await renderer;
      const nonce = randomBytes(16).toString('base64');
      const html = withNonce(render({ title, endpoint, ...(prefill && fromThisMachine(request, serverContext) ? await prefill() : {}) }), nonce);
      endResponse(
        new Response(html, {
          headers: {
            'content-type': 'text/html; charset=utf-8',
            'content-security-policy': policy(nonce),
            // It may carry a development token: not for any cache.
            'cache-control': 'no-store',
            'x-content-type-options': 'nosniff',
          },
        }),
      );
    },
  };
}
