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

/** What the access log records of one relayed request. */
export interface AccessEntry {
  req: string;
  client: string;
  model: string;
  status: number;
  ms: number;
  deployment?: string | undefined;
  attempts?: number | undefined;
  ttfbMs?: number | undefined;
  promptTokens?: number | undefined;
  completionTokens?: number | undefined;
  error?: string | undefined;
  /** Only for a channel with `log_content: true`: the prompt and the generated text. */
  content?: { prompt: unknown; answer: string | undefined } | undefined;
}

const json = JSON.stringify;

/**
 * Writes one access-log line (pino's JSON shape, level info) straight to the logger's batched destination. Built by
 * hand: pino's generic serialisation of the same object was most of a request's logging cost.
 */
export function logAccess(log: Logger, e: AccessEntry): void {
  if (!log.isLevelEnabled('info')) return;
  let line = `{"level":30,"time":${Date.now()},"msg":"request","req":${json(e.req)},"client":${json(e.client)},"model":${json(e.model)},"status":${e.status},"ms":${e.ms}`;
  if (e.deployment !== undefined) line += `,"deployment":${json(e.deployment)},"attempts":${e.attempts}`;
  if (e.ttfbMs !== undefined) line += `,"ttfb_ms":${e.ttfbMs}`;
  if (e.promptTokens !== undefined)
    line += `,"prompt_tokens":${e.promptTokens},"completion_tokens":${e.completionTokens}`;
  if (e.error !== undefined) line += `,"error":${json(e.error)}`;
  if (e.content !== undefined) {
    line += `,"prompt":${json(e.content.prompt) ?? 'null'}`;
    if (e.content.answer !== undefined) line += `,"answer":${json(e.content.answer)}`;
  }
  (log as unknown as Record<symbol, { write(line: string): void }>)[pino.symbols.streamSym]!.write(`${line}}\n`);
}
