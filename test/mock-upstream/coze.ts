/**
 * Coze's dialect for the mock upstream: the v3 chat API (`POST /v3/chat`, SSE when `stream` is true) with personal
 * access tokens (`pat_…`, checked against MockOptions.keys) or OAuth access tokens from the JWT token endpoint
 * (`POST /api/permission/oauth2/token`), which verifies the app's RS256 JWT with its public key as Coze does.
 * A bot id containing `reasoner` thinks first (`reasoning_content`); MockOptions.models lists the bots that exist.
 *
 *   trustCozeApp('1234', 'key-1', publicKeyPem);  // the token endpoint accepts this app's JWTs
 *   setCozeTokenSeconds(1);                       // tokens issued from now on expire after a second
 *   revokeCozeTokens();                           // every token issued so far: HTTP 401, code 4100
 */
import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { MockAnswer, MockDialect, MockExchange } from './dialect.ts';
import { chatReply, pieces } from './wire.ts';

const apps = new Map<string, { keyId: string; publicKey: KeyObject }>();
const issued = new Map<string, number>();
let tokenSeq = 0;
let tokenSeconds = 3600;

export function trustCozeApp(appId: string, keyId: string, publicKey: string | KeyObject): void {
  apps.set(appId, { keyId, publicKey: typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey });
}

/** The lifetime of the tokens issued from now on (Coze's `duration_seconds` is capped to it). */
export function setCozeTokenSeconds(seconds: number): void {
  tokenSeconds = seconds;
}

export function revokeCozeTokens(): void {
  issued.clear();
}

const STATUS_CODE: Record<number, number> = { 400: 4000, 401: 4100, 403: 4101, 404: 4200, 429: 4009 };
const errorBody = (status: number, message?: string): Record<string, unknown> => ({
  code: STATUS_CODE[status] ?? 5000,
  msg: message ?? (status >= 500 ? 'internal error' : `mock upstream error ${status}`),
});

function jsonPart(part: string | undefined): Record<string, unknown> | undefined {
  try {
    return JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Coze's JWT grant: the bearer JWT's header kid, signature, issuer, audience (the API host) and lifetime are checked. */
function tokenAnswer(ex: MockExchange): MockAnswer {
  const refuse = (message: string): MockAnswer => ({
    status: 401,
    json: { error_code: 'invalid_client', error_message: message },
  });
  if (ex.body.grant_type !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
    return { status: 400, json: { error_code: 'invalid_request', error_message: 'unsupported grant_type' } };
  }
  const jwt = (ex.key ?? '').split('.');
  const [head, claims, signature] = jwt;
  const header = jsonPart(head);
  const payload = jsonPart(claims);
  if (!header || !payload || signature === undefined || header.alg !== 'RS256') return refuse('invalid jwt');
  const app = apps.get(String(payload.iss));
  if (!app || header.kid !== app.keyId) return refuse('app or public key not found');
  if (!verify('sha256', Buffer.from(`${head}.${claims}`), app.publicKey, Buffer.from(signature, 'base64url'))) {
    return refuse('jwt signature invalid');
  }
  const now = Math.floor(Date.now() / 1000);
  if (payload.aud !== ex.headers.host) return refuse('jwt aud invalid');
  if (typeof payload.exp !== 'number' || payload.exp <= now || typeof payload.jti !== 'string') {
    return refuse('jwt expired or without jti');
  }
  const asked = typeof ex.body.duration_seconds === 'number' ? ex.body.duration_seconds : 900;
  const expiresAt = now + Math.min(asked, tokenSeconds);
  const token = `czs_mock_${++tokenSeq}`;
  issued.set(token, expiresAt * 1000);
  // As Coze does: expires_in is the Unix time the token expires.
  return { json: { access_token: token, expires_in: expiresAt, token_type: 'Bearer' } };
}

interface EnterMessage {
  role?: string;
  content?: string;
  content_type?: string;
}

/** The request in the OpenAI-like shape the shared reply logic reads. */
function replyInput(body: Record<string, unknown>): Record<string, unknown> {
  const messages = (Array.isArray(body.additional_messages) ? body.additional_messages : []) as EnterMessage[];
  return {
    messages: messages.map((m) => {
      if (m.content_type !== 'object_string') return { role: m.role, content: m.content ?? '' };
      const parts = JSON.parse(m.content ?? '[]') as { type?: string; text?: string }[];
      return {
        role: m.role,
        content: parts.filter((p) => p.type === 'text').map((p) => ({ type: 'text', text: p.text })),
      };
    }),
  };
}

const authorized = (ex: MockExchange): boolean => {
  const key = ex.key;
  if (key === undefined) return false;
  const expires = issued.get(key);
  if (expires !== undefined) return Date.now() < expires;
  return key.startsWith('pat_') && (!ex.keys || ex.keys.includes(key));
};

function chatAnswer(ex: MockExchange): MockAnswer {
  if (!authorized(ex)) {
    return { status: 401, json: { code: 4100, msg: 'authentication is invalid, please check your access token' } };
  }
  const bot = String(ex.body.bot_id ?? '');
  if (ex.models && !ex.models.includes(bot)) {
    // As Coze does for an unknown bot: HTTP 200 with the code in the body.
    return { json: { code: 4200, msg: `Requested resource not found. Ensure the bot_id ${bot} is correct.` } };
  }
  if (!Array.isArray(ex.body.additional_messages) || !ex.body.user_id) {
    return { json: { code: 4000, msg: 'invalid parameter: additional_messages and user_id are required' } };
  }
  const reply = chatReply(replyInput(ex.body), {
    think: bot.includes('reasoner'),
    ...(ex.reply === undefined ? {} : { override: ex.reply }),
  });
  const ids = { conversation_id: `conv_${ex.seq}`, bot_id: bot };
  const chat = (status: string, usage = { token_count: 0, output_count: 0, input_count: 0 }) => ({
    id: `chat_${ex.seq}`,
    ...ids,
    created_at: 1718792949,
    last_error: { code: 0, msg: '' },
    status,
    usage,
  });
  if (ex.body.stream !== true) return { json: { code: 0, msg: '', data: chat('in_progress') } };
  const answerId = `msg_answer_${ex.seq}`;
  const message = (fields: Record<string, unknown>) => ({
    ...ids,
    chat_id: `chat_${ex.seq}`,
    role: 'assistant',
    ...fields,
  });
  const frame = (event: string, data: unknown): string => `event:${event}\ndata:${JSON.stringify(data)}\n\n`;
  const frames = [
    frame('conversation.chat.created', chat('created')),
    frame('conversation.chat.in_progress', chat('in_progress')),
  ];
  for (const piece of pieces(reply.reasoning ?? '', ex.chunks)) {
    frames.push(
      frame(
        'conversation.message.delta',
        message({ id: answerId, type: 'answer', content: '', content_type: 'text', reasoning_content: piece }),
      ),
    );
  }
  for (const piece of pieces(reply.text, ex.chunks)) {
    frames.push(
      frame(
        'conversation.message.delta',
        message({ id: answerId, type: 'answer', content: piece, content_type: 'text' }),
      ),
    );
  }
  frames.push(
    frame(
      'conversation.message.completed',
      message({
        id: answerId,
        type: 'answer',
        content: reply.text,
        content_type: 'text',
        ...(reply.reasoning ? { reasoning_content: reply.reasoning } : {}),
      }),
    ),
    frame(
      'conversation.message.completed',
      message({
        id: `msg_verbose_${ex.seq}`,
        type: 'verbose',
        content: '{"msg_type":"generate_answer_finish","data":"","from_module":null,"from_unit":null}',
        content_type: 'text',
      }),
    ),
    frame(
      'conversation.message.completed',
      message({
        id: `msg_follow_${ex.seq}`,
        type: 'follow_up',
        content: 'What else can you do?',
        content_type: 'text',
      }),
    ),
    frame(
      'conversation.chat.completed',
      chat('completed', {
        token_count: reply.promptTokens + reply.completionTokens,
        output_count: reply.completionTokens,
        input_count: reply.promptTokens,
      }),
    ),
    'event:done\ndata:"[DONE]"\n\n',
  );
  return { stream: frames, contentType: 'text/event-stream; charset=utf-8' };
}

export const coze: MockDialect = {
  name: 'coze',
  route(method, path) {
    if (method !== 'POST') return undefined;
    if (path === '/v3/chat') return { endpoint: 'chat' };
    return path === '/api/permission/oauth2/token' ? { endpoint: 'auth' } : undefined;
  },
  key(headers: IncomingHttpHeaders) {
    const auth = headers.authorization;
    return auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
  },
  errorBody,
  streamError: (message) => `event:error\ndata:${JSON.stringify({ code: 5000, msg: message })}\n\n`,
  answer: (ex) => (ex.route.endpoint === 'auth' ? tokenAnswer(ex) : chatAnswer(ex)),
};
