/** The gateway's structured JSON logger (pino), written off the request path. */
import { pino } from 'pino';

export type Logger = pino.Logger;

export function createLogger(level: string | undefined): Logger {
  return pino(
    {
      level: level ?? 'info',
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      // Belt and braces: credentials must never reach a log line even if someone logs a whole object.
      redact: {
        paths: ['key', 'apiKey', 'authorization', '*.authorization', '*.key', '*.keys', 'headers["api-key"]'],
        censor: '***',
      },
    },
    pino.destination({ sync: false }),
  );
}
