import type { RequestListener } from 'node:http';

const NOT_A_URL = JSON.stringify({ errors: [{ message: 'The Host header and the request target do not make a URL.', extensions: { code: 'BAD_USER_INPUT' } }] });

/**
 * The gateway's node:http listener. Yoga's node adapter builds each request's URL from the Host
 * header and the request target, and when they do not make one (`Host: localhost:80:81`) answers
 * 500 with the error's stack trace as the body. Such a request is refused here first: 400 with a
 * stable code, nothing quoted.
 */
export function httpListener(yoga: RequestListener): RequestListener {
  return (req, res) => {
    if (URL.canParse(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`)) {
      yoga(req, res);
      return;
    }
    res.writeHead(400, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(NOT_A_URL) }).end(NOT_A_URL);
  };
}
