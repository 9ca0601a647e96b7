/** The gateway's structured JSON logger (pino), buffered and written off the request path. */
import { pino } from 'pino';

export type Logger = pino.Logger;

/** Lines are written in batches of this many bytes, or at least this often. */
const BATCH_BYTES = 8192;
const FLUSH_EVERY_MS = 500;

/**
 * Credentials never reach a log call: log lines name keys by their id (`provider/key#1`, a client key's name), never by
 * value. (pino's `redact` is not used: it costs ~2% of a request's CPU for a guarantee the call sites already give.)
 */
export function createLogger(level: string | undefined): Logger {
  const destination = pino.destination({ sync: false, minLength: BATCH_BYTES });
  const flusher = setInterval(() => destination.flush(), FLUSH_EVERY_MS);
  flusher.unref();
  process.once('exit', () => {
    try {
      destination.flushSync();
    } catch {
      // Nothing left to write to (stdout closed): the lines cannot be saved.
    }
  });
  return pino({ level: level ?? 'info', base: null }, destination);
}
