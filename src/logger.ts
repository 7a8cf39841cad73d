import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * JSON logs. Only identifiers and field coordinates are ever logged: the redact list is a second
 * line of defence for headers that carry credentials.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'govgate' },
    redact: { paths: ['req.headers.authorization', 'headers.authorization', 'authorization', 'token'], censor: '[redacted]' },
  });
}
