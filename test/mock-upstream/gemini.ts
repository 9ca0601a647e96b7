/**
 * Google's dialects for the mock upstream: the Gemini API (`/v1beta/models/{model}:generateContent`, API key, and the
 * model list `GET /v1beta/models` paged by `pageSize` and `pageToken`), Vertex
 * AI (`/v1/projects/{p}/locations/{r}/publishers/google/models/{model}:generateContent`, OAuth bearer token) and the
 * OAuth token endpoint (`POST /token`) that verifies a service account's signed JWT and issues those tokens.
 * Like Gemini 3, both refuse a model turn whose first function call lost its thought signature.
 *
 *   trustServiceAccount('sa@project.iam.gserviceaccount.com', publicKeyPem);  // the token endpoint accepts its JWTs
 *   revokeAccessTokens();                                                     // every token issued so far: 401
 */
import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { MockAnswer, MockDialect, MockExchange, MockRoute } from './dialect.ts';
import { chatReply, pieces, type Reply, vectorFor, wordCount } from './wire.ts';

const GEMINI_PATH = /^\/(v1|v1beta)\/models\/(.+):(generateContent|streamGenerateContent|batchEmbedContents)$/;
const VERTEX_PATH =
  /^\/v1\/projects\/[^/]+\/locations\/[^/]+\/publishers\/google\/models\/(.+):(generateContent|streamGenerateContent|predict)$/;
const ENDPOINTS: Record<string, string> = {
  generateContent: 'chat',
  streamGenerateContent: 'chat',
  batchEmbedContents: 'embeddings',
  predict: 'embeddings',
};

const STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

const MESSAGES: Record<number, string> = {
  401: 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
  403: "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
  404: 'Requested entity was not found.',
  429: 'Resource has been exhausted (e.g. check quota).',
  500: 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
  503: 'The model is overloaded. Please try again later.',
};

function googleError(status: number, message?: string): Record<string, unknown> {
  return {
    error: {
      code: status,
      message: message ?? MESSAGES[status] ?? `Mock upstream error ${status}`,
      status: STATUS[status] ?? (status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION'),
    },
  };
}

const refuse = (status: number, message?: string): MockAnswer => ({ status, json: googleError(status, message) });

// ---- service accounts and tokens ----

const trusted = new Map<string, KeyObject>();
const issued = new Set<string>();
let tokenSeq = 0;

/** The token endpoint accepts JWTs of this service account, checked with its public key. */
export function trustServiceAccount(clientEmail: string, publicKey: string | KeyObject): void {
  trusted.set(clientEmail, typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey);
}

/** Every access token issued so far stops working (as a revoked or expired one does). */
export function revokeAccessTokens(): void {
  issued.clear();
}

function jsonPart(part: string | undefined): Record<string, unknown> | undefined {
  try {
    return JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Google's JWT-bearer grant: checks the assertion's signature, audience, scope and lifetime, as oauth2.googleapis.com does. */
function tokenAnswer(ex: MockExchange): MockAnswer {
  const form = new URLSearchParams(ex.text);
  const invalid = (description: string): MockAnswer => ({
    status: 400,
    json: { error: 'invalid_grant', error_description: description },
  });
  if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
    return { status: 400, json: { error: 'unsupported_grant_type', error_description: 'Invalid grant_type: ' } };
  }
  const [head, body, signature] = (form.get('assertion') ?? '').split('.');
  const header = jsonPart(head);
  const claims = jsonPart(body);
  if (!header || !claims || signature === undefined || header.alg !== 'RS256') return invalid('Invalid JWT.');
  const key = trusted.get(String(claims.iss));
  if (!key)
    return { status: 401, json: { error: 'invalid_client', error_description: 'The OAuth client was not found.' } };
  if (!verify('sha256', Buffer.from(`${head}.${body}`), key, Buffer.from(signature, 'base64url'))) {
    return invalid('Invalid JWT Signature.');
  }
  const now = Math.floor(Date.now() / 1000);
  if (claims.aud !== `http://${ex.headers.host}/token`)
    return invalid('Invalid JWT: Token must be a short-lived token');
  if (
    typeof claims.exp !== 'number' ||
    claims.exp <= now ||
    typeof claims.iat !== 'number' ||
    claims.exp - claims.iat > 3600
  ) {
    return invalid('Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.');
  }
  if (!String(claims.scope).split(' ').includes('https://www.googleapis.com/auth/cloud-platform')) {
    return invalid('Invalid OAuth scope or ID token audience provided.');
  }
  const token = `ya29.mock-access-token-${++tokenSeq}`;
  issued.add(token);
  return { json: { access_token: token, expires_in: 3599, token_type: 'Bearer' } };
}

// ---- generateContent ----

interface Part {
  text?: string;
  thought?: boolean;
  thoughtSignature?: string;
  functionCall?: { name?: string; args?: unknown };
  functionResponse?: { name?: string; response?: unknown };
}
interface Content {
  role?: string;
  parts?: Part[];
}

/** Gemini 3's check: each model turn's first function call carries the signature it came with. */
function missingSignature(contents: Content[]): string | undefined {
  for (const content of contents) {
    const call = content.parts?.find((p) => p.functionCall);
    if (content.role === 'model' && call && !call.thoughtSignature) {
      return `Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, and missing thought_signature may lead to degraded model performance. Additional data, function call \`default_api:${call.functionCall?.name ?? ''}\`. Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details.`;
    }
  }
  return undefined;
}

/** The request in the OpenAI-like shape the shared reply logic reads (roles, texts, tool names). */
/** What a model reads in a function response: its `output` (or `result`) text, else the JSON. */
function responseText(response: unknown): string {
  const fields = (response ?? {}) as { output?: unknown; result?: unknown };
  const text = fields.output ?? fields.result;
  return typeof text === 'string' ? text : JSON.stringify(response ?? {});
}

function replyInput(body: Record<string, unknown>): Record<string, unknown> {
  const contents = (Array.isArray(body.contents) ? body.contents : []) as Content[];
  const system = body.systemInstruction as Content | undefined;
  const textOf = (parts: Part[] | undefined): string =>
    (parts ?? [])
      .filter((p) => typeof p.text === 'string' && !p.thought)
      .map((p) => p.text)
      .join(' ');
  const messages = contents.map((c) => {
    const response = c.parts?.find((p) => p.functionResponse)?.functionResponse;
    if (response) return { role: 'tool', content: responseText(response.response) };
    return { role: c.role === 'model' ? 'assistant' : 'user', content: textOf(c.parts) };
  });
  if (system) messages.unshift({ role: 'system', content: textOf(system.parts) });
  const tools = ((body.tools ?? []) as { functionDeclarations?: { name?: string }[] }[]).flatMap((t) =>
    (t.functionDeclarations ?? []).map((d) => ({ function: { name: d.name } })),
  );
  return { messages, tools };
}

const FINISH: Record<Reply['finish'], string> = {
  stop: 'STOP',
  tool_calls: 'STOP',
  length: 'MAX_TOKENS',
  content_filter: 'SAFETY',
};

function usageMetadata(r: Reply): Record<string, unknown> {
  const thoughts = wordCount(r.reasoning ?? '');
  const usage: Record<string, unknown> = {
    promptTokenCount: r.promptTokens,
    candidatesTokenCount: r.completionTokens - thoughts,
    totalTokenCount: r.promptTokens + r.completionTokens,
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: r.promptTokens }],
  };
  if (thoughts) usage.thoughtsTokenCount = thoughts;
  return usage;
}

function callParts(r: Reply, signature: string): Part[] {
  return r.toolCalls.map((c, i) => {
    const part: Part = { functionCall: { name: c.name, args: JSON.parse(c.arguments) } };
    if (i === 0) part.thoughtSignature = signature;
    return part;
  });
}

function answerEnvelope(ex: MockExchange): Record<string, unknown> {
  return { modelVersion: ex.model ?? 'gemini-mock', responseId: `mock-response-${ex.seq}` };
}

function chatAnswer(ex: MockExchange): MockAnswer {
  const contents = (Array.isArray(ex.body.contents) ? ex.body.contents : []) as Content[];
  if (!contents.length) return refuse(400, '* GenerateContentRequest.contents: contents is not specified\n');
  const unsigned = missingSignature(contents);
  if (unsigned) return refuse(400, unsigned);
  const config = ex.body.generationConfig as { thinkingConfig?: { includeThoughts?: boolean } } | undefined;
  const think = config?.thinkingConfig?.includeThoughts === true;
  const reply = chatReply(replyInput(ex.body), { think, ...(ex.reply === undefined ? {} : { override: ex.reply }) });
  if (ex.finishReason && !reply.toolCalls.length) reply.finish = ex.finishReason;
  const signature = `mock-signature-${ex.seq}`;
  const finishReason = FINISH[reply.finish];
  const candidate = (parts: Part[], last: boolean): Record<string, unknown> => ({
    content: { parts, role: 'model' },
    ...(last ? { finishReason } : {}),
    index: 0,
  });
  if (ex.route.stream !== true) {
    const parts: Part[] = [];
    if (reply.reasoning) parts.push({ text: reply.reasoning, thought: true });
    if (reply.text)
      parts.push({ text: reply.text, ...(reply.toolCalls.length ? {} : { thoughtSignature: signature }) });
    parts.push(...callParts(reply, signature));
    return {
      json: { candidates: [candidate(parts, true)], usageMetadata: usageMetadata(reply), ...answerEnvelope(ex) },
    };
  }
  const partial = { promptTokenCount: reply.promptTokens, totalTokenCount: reply.promptTokens };
  const chunk = (parts: Part[], last = false): string =>
    `data: ${JSON.stringify({
      candidates: [candidate(parts, last)],
      usageMetadata: last ? usageMetadata(reply) : partial,
      ...answerEnvelope(ex),
    })}\r\n\r\n`;
  const frames: string[] = pieces(reply.reasoning ?? '', ex.chunks).map((p) => chunk([{ text: p, thought: true }]));
  const texts = pieces(reply.text, ex.chunks);
  texts.forEach((p, i) => {
    const last = i === texts.length - 1 && !reply.toolCalls.length;
    frames.push(chunk([{ text: p, ...(last && think ? { thoughtSignature: signature } : {}) }], last));
  });
  if (reply.toolCalls.length) frames.push(chunk(callParts(reply, signature), true));
  else if (!texts.length) frames.push(chunk([{ text: '' }], true));
  return { stream: frames, contentType: 'text/event-stream' };
}

function embeddingsAnswer(ex: MockExchange, vertex: boolean): MockAnswer {
  if (vertex) {
    const instances = (ex.body.instances ?? []) as { content?: string }[];
    const parameters = ex.body.parameters as { outputDimensionality?: number } | undefined;
    return {
      json: {
        predictions: instances.map((i) => ({
          embeddings: {
            values: vectorFor(i.content ?? '', parameters?.outputDimensionality),
            statistics: { token_count: wordCount(i.content ?? ''), truncated: false },
          },
        })),
      },
    };
  }
  const requests = (ex.body.requests ?? []) as { content?: { parts?: Part[] }; outputDimensionality?: number }[];
  return {
    json: {
      embeddings: requests.map((r) => ({
        values: vectorFor(r.content?.parts?.[0]?.text ?? '', r.outputDimensionality),
      })),
    },
  };
}

const LIST_PATH = /^\/(v1|v1beta)\/models$/;
const DEFAULT_MODELS = ['gemini-2.5-flash', 'gemini-2.5-pro', 'gemini-embedding-001'];

/** What a model of this name supports, as the model list says: embedding models embed, Imagen predicts, others chat. */
function methodsOf(name: string): string[] {
  if (name.includes('embedding')) return ['embedContent', 'countTextTokens', 'countTokens', 'asyncBatchEmbedContent'];
  if (name.startsWith('imagen')) return ['predict'];
  return ['generateContent', 'countTokens', 'createCachedContent', 'batchGenerateContent'];
}

/** The model list: `pageSize` per page (default 50, at most 1000), `nextPageToken` while more remain. */
function modelsAnswer(ex: MockExchange): MockAnswer {
  const size = Math.min(Number(ex.query.pageSize ?? 50), 1000);
  const start = ex.query.pageToken === undefined ? 0 : Number(Buffer.from(ex.query.pageToken, 'base64url').toString());
  if (!Number.isInteger(size) || size < 1 || !Number.isInteger(start)) return refuse(400, 'Invalid page token.');
  const all = ex.models ?? DEFAULT_MODELS;
  const next = start + size < all.length ? Buffer.from(String(start + size)).toString('base64url') : undefined;
  return {
    json: {
      models: all.slice(start, start + size).map((name) => ({
        name: `models/${name}`,
        version: '001',
        displayName: name,
        inputTokenLimit: 1_048_576,
        outputTokenLimit: 65_536,
        supportedGenerationMethods: methodsOf(name),
      })),
      ...(next ? { nextPageToken: next } : {}),
    },
  };
}

function route(pattern: RegExp, modelGroup: number, method: string, path: string): MockRoute | undefined {
  const match = method === 'POST' ? pattern.exec(path) : null;
  if (!match) return undefined;
  const action = match[modelGroup + 1]!;
  return { endpoint: ENDPOINTS[action]!, model: match[modelGroup]!, stream: action === 'streamGenerateContent' };
}

const streamError = (message: string): string => `data: ${JSON.stringify(googleError(500, message))}\r\n\r\n`;

export const gemini: MockDialect = {
  name: 'gemini',
  route(method, path, query, headers) {
    // OpenAI's model list has the same path (/v1/models): Google's requests carry its API key.
    const googleKey = headers['x-goog-api-key'] !== undefined || query.key !== undefined;
    if (method === 'GET' && LIST_PATH.test(path)) return googleKey ? { endpoint: 'models' } : undefined;
    return route(GEMINI_PATH, 2, method, path);
  },
  key(headers: IncomingHttpHeaders, query) {
    const header = headers['x-goog-api-key'];
    return typeof header === 'string' ? header : query.key;
  },
  errorBody: googleError,
  streamError,
  answer(ex) {
    if (ex.key === undefined) return refuse(403);
    if (ex.keys && !ex.keys.includes(ex.key)) {
      // As Google does: a 400 whose details name the reason.
      const body = googleError(400, 'API key not valid. Please pass a valid API key.');
      (body.error as Record<string, unknown>).details = [
        { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' },
      ];
      return { status: 400, json: body };
    }
    if (ex.route.endpoint === 'models') return modelsAnswer(ex);
    if (ex.models && (ex.model === undefined || !ex.models.includes(ex.model))) {
      return refuse(
        404,
        `models/${ex.model ?? ''} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`,
      );
    }
    return ex.route.endpoint === 'chat' ? chatAnswer(ex) : embeddingsAnswer(ex, false);
  },
};

export const vertex: MockDialect = {
  name: 'vertex',
  route: (method, path) =>
    method === 'POST' && path === '/token' ? { endpoint: 'auth' } : route(VERTEX_PATH, 1, method, path),
  key(headers) {
    const auth = headers.authorization;
    return auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
  },
  errorBody: googleError,
  streamError,
  answer(ex) {
    if (ex.route.endpoint === 'auth') return tokenAnswer(ex);
    if (ex.key === undefined || !issued.has(ex.key)) return refuse(401);
    return ex.route.endpoint === 'chat' ? chatAnswer(ex) : embeddingsAnswer(ex, true);
  },
};
