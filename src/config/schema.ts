/** The native config file's schema (SPEC §2); every other gateway's config is converted into this shape. */
import { z } from 'zod';
import { byteSize, duration } from './units.ts';

const proxyUrl = z.string().regex(/^(https?|socks5h?):\/\/[^\s]+$/i, 'must be an http://, https:// or socks5:// URL');

const DEFAULT_HEADER_LIMIT = 32 * 1024;
const DEFAULT_REQUEST_TIMEOUT_MS = 300_000;
const DEFAULT_SHUTDOWN_TIMEOUT_MS = 30_000;
const DEFAULT_IMAGE_SIZE = 20 * 1024 * 1024;
const DEFAULT_IMAGE_TIMEOUT_MS = 15_000;
/** `scheme://host[:port]` as browsers send it in `Origin`, or `*`. */
const CORS_ORIGIN = /^(\*|https?:\/\/[^/\s]+)$/;

export const STRATEGIES = ['random', 'weighted', 'round-robin', 'priority', 'least-busy'] as const;
export type Strategy = (typeof STRATEGIES)[number];

export const limitsSchema = z
  .object({
    /** Requests per second this deployment may receive. */
    rps: z.number().positive().optional(),
    /** Requests per minute this deployment may receive. */
    rpm: z.number().positive().optional(),
    /** Requests in flight at once; more wait in a queue up to `queue_timeout`, then get 429. */
    concurrency: z.number().int().positive().optional(),
    /** How long one upstream call may take before it is abandoned (504, or retried elsewhere). */
    timeout: duration.optional(),
    /** How long a request may wait for a free concurrency slot. */
    queue_timeout: duration.optional(),
  })
  .strict();
export type Limits = z.infer<typeof limitsSchema>;

export const providerSchema = z
  .object({
    name: z.string().min(1),
    type: z.string().min(1),
    enabled: z.boolean().default(true),
    base_url: z.url().optional(),
    keys: z.array(z.string().min(1, 'empty key (is an environment variable unset?)')).default([]),
    models: z.array(z.string().min(1)).default([]),
    embedding_models: z.array(z.string().min(1)).default([]),
    /** Client-facing model name -> upstream model name. */
    model_map: z.record(z.string(), z.string().min(1)).default({}),
    limits: limitsSchema.default({}),
    weight: z.number().positive().default(1),
    priority: z.number().int().default(0),
    system_role: z.boolean().default(true),
    proxy: z.union([proxyUrl, z.literal(false)]).optional(),
    /** Extra headers sent upstream with every request. */
    headers: z.record(z.string(), z.string()).default({}),
    /** Azure OpenAI's api-version query parameter. */
    api_version: z.string().optional(),
    /** Cloud region or location: Bedrock's AWS region (`us-east-1`), Vertex AI's location (`us-central1`, `global`). */
    region: z.string().min(1).optional(),
    /** Cloudflare account id (Workers AI). */
    account_id: z.string().min(1).optional(),
    /** Google Cloud project id (Vertex AI; default: the service account's own project). */
    project: z.string().min(1).optional(),
    /** Log the prompt and the answer text of the requests this channel serves (in their request log line). */
    log_content: z.boolean().default(false),
  })
  .strict();
export type ProviderConfig = z.infer<typeof providerSchema>;

export const clientKeySchema = z.union([
  z.string().min(1, 'empty key (is an environment variable unset?)'),
  z
    .object({
      key: z.string().min(1, 'empty key (is an environment variable unset?)'),
      name: z.string().optional(),
      models: z.array(z.string()).optional(),
      rpm: z.number().int().positive().optional(),
      tpm: z.number().int().positive().optional(),
      quota_usd: z.number().nonnegative().optional(),
      /** Where reasoning goes in this key's OpenAI-format answers unless the request says otherwise. */
      reasoning_format: z.enum(['reasoning_content', 'reasoning', 'thinking']).optional(),
    })
    .strict(),
]);

const virtualModelSchema = z.discriminatedUnion('type', [
  z
    .object({
      name: z.string().min(1),
      type: z.literal('reasoning'),
      /** The model that does every step. */
      model: z.string().min(1),
      /** Stream a short status line per step as reasoning text while it works. */
      status_feedback: z.boolean().default(false),
      /** Reasoning steps before the final answer, at most. */
      max_steps: z.number().int().min(1).max(50).default(10),
      /** Further tries of a step whose call failed or whose answer was not the step JSON (o1-api's error retry). */
      step_retries: z.number().int().min(0).max(5).default(2),
      step_max_tokens: z.number().int().positive().default(600),
      prompts: z
        .object({
          /** The step instructions (o1-api's system prompt when unset). */
          steps: z.string().min(1).optional(),
          /** Asked after the last step (o1-api's when unset). */
          final: z.string().min(1).optional(),
          /**
           * Fixed steps instead of the model-led JSON loop: each a call with its own instruction (plan, work,
           * verify, …), its answer kept for the next.
           */
          stages: z
            .array(z.object({ title: z.string().min(1), prompt: z.string().min(1) }).strict())
            .min(1)
            .optional(),
        })
        .strict()
        .default({}),
      /** Find/replace rules applied to the final answer, streams included (o1-api's use_regex_processing). */
      output_rules: z
        .array(
          z
            .object({
              find: z.string().min(1),
              replace: z.string(),
              flags: z
                .string()
                .regex(/^[imsu]*$/)
                .optional(),
            })
            .strict(),
        )
        .default([]),
    })
    .strict(),
  z
    .object({
      name: z.string().min(1),
      type: z.literal('ensemble'),
      members: z.array(z.string().min(1)).min(1),
      summarizer: z.string().min(1),
      /** What the summarizer is asked to do with the answers (N-1's prompt when unset). */
      summary_prompt: z.string().min(1).optional(),
      /** How long each member may take; a late one is left out. */
      member_timeout: duration.default(120_000),
      /** Stream a line per member (✅/❌) as reasoning text while the members answer. */
      status_feedback: z.boolean().default(false),
    })
    .strict(),
]);

const priceSchema = z
  .object({
    input: z.number().nonnegative(),
    output: z.number().nonnegative(),
    cached_input: z.number().nonnegative().optional(),
    cache_write: z.number().nonnegative().optional(),
  })
  .strict();

export const configSchema = z
  .object({
    server: z
      .object({
        port: z.number().int().min(0).max(65535).default(3000),
        host: z.string().default('0.0.0.0'),
        body_limit: byteSize.default(20 * 1024 * 1024),
        /**
         * Behind a reverse proxy: trust its X-Forwarded-For for the client address (IP allow-lists, per-IP limits).
         * `true` (any), or the proxies' addresses and CIDRs, comma-separated.
         */
        trust_proxy: z.union([z.boolean(), z.string().min(1)]).default(false),
        /** The request line and headers together, at most (Node's maxHeaderSize); more is refused with 431. */
        header_limit: byteSize.default(DEFAULT_HEADER_LIMIT),
        /** The most time a client may take to send its whole request, headers and body (slow senders hold sockets). */
        request_timeout: duration.default(DEFAULT_REQUEST_TIMEOUT_MS),
        /**
         * After SIGTERM/SIGINT, how long requests and streams in flight may run on; then they end with an error in
         * their format, their usage is written and the process exits.
         */
        shutdown_timeout: duration.default(DEFAULT_SHUTDOWN_TIMEOUT_MS),
        /**
         * Browser origins allowed to call the relay (`/v1/…`) cross-origin (CORS), or `["*"]` for any; empty: none.
         * Never applied to the admin API.
         */
        cors_origins: z
          .array(z.string().regex(CORS_ORIGIN, 'an origin like https://app.example.com, or *'))
          .default([]),
      })
      .strict()
      .default({
        port: 3000,
        host: '0.0.0.0',
        body_limit: 20 * 1024 * 1024,
        trust_proxy: false,
        header_limit: DEFAULT_HEADER_LIMIT,
        request_timeout: DEFAULT_REQUEST_TIMEOUT_MS,
        shutdown_timeout: DEFAULT_SHUTDOWN_TIMEOUT_MS,
        cors_origins: [],
      }),
    auth: z
      .object({ keys: z.array(clientKeySchema).default([]) })
      .strict()
      .default({ keys: [] }),
    database: z.string().optional(),
    redis: z.string().optional(),
    proxy: proxyUrl.optional(),
    log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
    routing: z
      .object({
        strategy: z.enum(STRATEGIES).default('random'),
        /** Further deployments tried after the first fails (before any byte reached the client). */
        retries: z.number().int().min(0).max(10).default(2),
        cooldown_on_429: duration.default(60_000),
        /** Default upstream timeout for deployments that set none. */
        timeout: duration.default(300_000),
        /** Default wait for a concurrency slot for deployments that set none. */
        queue_timeout: duration.default(30_000),
        /**
         * With Redis: how long a deployment's concurrency slot stays taken by an instance that stopped renewing it
         * (it died); renewed at a third of this while its request runs.
         */
        lease_ttl: duration.default(15_000),
        /**
         * The largest whole (non-stream) answer read from an upstream: it is held in memory to convert and bill, so a
         * larger one is abandoned (502) rather than allowed to exhaust it. Streams pass through and have no limit.
         */
        response_limit: byteSize.default(128 * 1024 * 1024),
        /**
         * `max_tokens` for upstreams that require one (Anthropic, Bedrock) when the request has none and the model's
         * own limit is unknown (one-api's DEFAULT_MAX_TOKEN).
         */
        default_max_tokens: z.number().int().positive().optional(),
      })
      .strict()
      .default({
        strategy: 'random',
        retries: 2,
        cooldown_on_429: 60_000,
        timeout: 300_000,
        queue_timeout: 30_000,
        lease_ttl: 15_000,
        response_limit: 128 * 1024 * 1024,
      }),
    /**
     * Images given by URL to a provider that takes only bytes (Ollama, Bedrock; Gemini for a URL without an image
     * extension) are fetched by the gateway: from public addresses only unless `allow_private`, up to `max_size`.
     */
    image_fetch: z
      .object({
        enabled: z.boolean().default(true),
        /** Also fetch from loopback, private and link-local addresses (an image server on the operator's network). */
        allow_private: z.boolean().default(false),
        max_size: byteSize.default(DEFAULT_IMAGE_SIZE),
        timeout: duration.default(DEFAULT_IMAGE_TIMEOUT_MS),
      })
      .strict()
      .default({
        enabled: true,
        allow_private: false,
        max_size: DEFAULT_IMAGE_SIZE,
        timeout: DEFAULT_IMAGE_TIMEOUT_MS,
      }),
    /** Per-caller request limits over a sliding window (one-api's GLOBAL_*_RATE_LIMIT); 0 turns one off. */
    rate_limits: z
      .object({
        window: duration.default(180_000),
        /** Admin API requests per client IP (GLOBAL_API_RATE_LIMIT). */
        api_per_ip: z.number().int().min(0).default(480),
        /** Relay requests per client IP. */
        relay_per_ip: z.number().int().min(0).default(0),
        /** Relay requests per API token (GLOBAL_RELAY_RATE_LIMIT). */
        relay_per_token: z.number().int().min(0).default(0),
      })
      .strict()
      .default({ window: 180_000, api_per_ip: 480, relay_per_ip: 0, relay_per_token: 0 }),
    providers: z.array(providerSchema).default([]),
    models: z
      .object({
        aliases: z.record(z.string(), z.string().min(1)).default({}),
        virtual: z.array(virtualModelSchema).default([]),
        /** Tokens a model's context holds (name or name prefix): server-side conversations are trimmed to it. */
        context_windows: z.record(z.string(), z.number().int().positive()).default({}),
        /**
         * A chat request that names no model, or one nothing serves, goes to this one (o1-api and N-1 answer every
         * request with their one model, whatever it names).
         */
        default: z.string().min(1).optional(),
      })
      .strict()
      .default({ aliases: {}, virtual: [], context_windows: {} }),
    prices: z.record(z.string(), priceSchema).default({}),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
