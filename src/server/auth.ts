/** Client authentication against the config's static keys (compared in constant time) and each key's own limits. */
import { hash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Config } from '../config/schema.ts';
import { Forbidden, RateLimited, Unauthorized } from '../core/errors.ts';
import type { ReasoningFormat } from '../formats/types.ts';
import { SlidingWindow } from '../state/rate-window.ts';

/** A caller the gateway recognised: a static key from config (database tokens join in the management plane). */
export interface Client {
  /** Log-safe name: the key's configured name, or `key#n`. */
  name: string;
  /** Models this client may use; undefined means all. */
  models: ReadonlySet<string> | undefined;
  rpm: SlidingWindow | undefined;
  tpm: SlidingWindow | undefined;
  /** The key's default place for reasoning in OpenAI-format answers. */
  reasoningFormat?: ReasoningFormat;
}

interface KeyEntry {
  digest: Buffer;
  client: Client;
}

const OPEN_CLIENT: Client = { name: 'anonymous', models: undefined, rpm: undefined, tpm: undefined };

function digest(key: string): Buffer {
  return hash('sha256', key, 'buffer');
}

/** The credential a request presents: Bearer, x-api-key (Anthropic clients), x-goog-api-key or ?key= (Gemini clients). */
export function presentedKey(headers: IncomingHttpHeaders, query: unknown): string | undefined {
  const authorization = headers.authorization;
  if (authorization) {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    return match ? match[1]!.trim() : undefined;
  }
  const header = headers['x-api-key'] ?? headers['x-goog-api-key'];
  if (typeof header === 'string' && header) return header.trim();
  const key = (query as { key?: unknown } | undefined)?.key;
  return typeof key === 'string' && key ? key : undefined;
}

export class ClientKeys {
  private readonly entries: KeyEntry[];

  constructor(keys: Config['auth']['keys']) {
    this.entries = keys.map((k, i) => {
      const spec = typeof k === 'string' ? { key: k } : k;
      const client: Client = {
        name: ('name' in spec && spec.name) || `key#${i + 1}`,
        models: 'models' in spec && spec.models ? new Set(spec.models) : undefined,
        rpm: 'rpm' in spec && spec.rpm ? new SlidingWindow(spec.rpm, 60_000) : undefined,
        tpm: 'tpm' in spec && spec.tpm ? new SlidingWindow(spec.tpm, 60_000) : undefined,
      };
      if ('reasoning_format' in spec && spec.reasoning_format) client.reasoningFormat = spec.reasoning_format;
      return { digest: digest(spec.key), client };
    });
  }

  /** No keys configured: the relay is open to anyone who can reach it. */
  get open(): boolean {
    return this.entries.length === 0;
  }

  /** The client a presented key belongs to; every configured key is compared, in constant time, whatever matches. */
  authenticate(key: string | undefined): Client {
    if (this.open) return OPEN_CLIENT;
    if (!key) throw new Unauthorized('Missing API key: send it as "Authorization: Bearer <key>".');
    const presented = digest(key);
    let found: Client | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, presented)) found = entry.client;
    }
    if (!found) throw new Unauthorized('Invalid API key.');
    return found;
  }
}

/** Refuses a model outside the client's allow-list. */
export function checkModelAccess(client: Client, model: string): void {
  if (client.models && !client.models.has(model)) {
    throw new Forbidden(`This API key may not use the model '${model}'.`, 'model_not_allowed');
  }
}

/** Counts one request against the client's rpm, and refuses when its rpm or tpm window is full. */
export function admitRequest(client: Client, now: number): void {
  if (client.tpm && !client.tpm.fits(now, 1)) {
    throw new RateLimited(
      'This API key reached its tokens-per-minute limit.',
      Math.ceil(client.tpm.msUntilFree(now) / 1000),
    );
  }
  if (client.rpm) {
    const verdict = client.rpm.take(now);
    if (!verdict.allowed) {
      throw new RateLimited(
        'This API key reached its requests-per-minute limit.',
        Math.ceil(verdict.retryAfterMs / 1000),
      );
    }
  }
}
