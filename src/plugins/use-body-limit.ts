import type { Plugin } from 'graphql-yoga';

const tooLarge = (max: number): Response =>
  new Response(JSON.stringify({ errors: [{ message: `request body larger than ${max} bytes`, extensions: { code: 'PAYLOAD_TOO_LARGE' } }] }), {
    status: 413,
    headers: { 'content-type': 'application/json' },
  });

/** Refuses bodies over the limit before Yoga parses them: by Content-Length, or by counting a chunked stream. */
export function useBodyLimit(maxBytes: number): Plugin {
  return {
    async onRequest({ request, endResponse }) {
      if (request.method !== 'POST') return;
      const declared = request.headers.get('content-length');
      if (declared !== null) {
        if (Number(declared) > maxBytes) endResponse(tooLarge(maxBytes));
        return;
      }
      // No length declared: count the stream of a copy, stopping as soon as the limit is passed.
      const reader = request.clone().body?.getReader();
      if (!reader) return;
      let total = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        total += value.byteLength;
        if (total > maxBytes) {
          await reader.cancel();
          endResponse(tooLarge(maxBytes));
          return;
        }
      }
    },
  };
}
