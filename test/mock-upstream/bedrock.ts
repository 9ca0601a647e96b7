/**
 * Bedrock's Converse dialect for the mock upstream: `/model/{id}/converse` and `/converse-stream` (binary event
 * stream). It checks each call's SigV4 signature with the secret of the access key id it names, as AWS does, or
 * accepts a Bedrock API key as a bearer token.
 *
 *   trustAwsKey('AKIDEXAMPLE', 'secret');   // calls signed with this pair pass; others get AWS's 403
 */
import type { IncomingHttpHeaders } from 'node:http';
import { encodeEventMessage } from '../../src/providers/bedrock/eventstream.ts';
import { signRequest } from '../../src/providers/bedrock/sigv4.ts';
import type { MockAnswer, MockDialect, MockExchange } from './dialect.ts';
import { chatReply, pieces, type Reply } from './wire.ts';

const PATH = /^\/model\/([^/]+)\/(converse|converse-stream)$/;
const secrets = new Map<string, string>();

export function trustAwsKey(accessKeyId: string, secretAccessKey: string): void {
  secrets.set(accessKeyId, secretAccessKey);
}

const CREDENTIAL =
  /Credential=([^/]+)\/\d{8}\/([^/]+)\/bedrock\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]+)/;

const awsError = (status: number, type: string, message: string): MockAnswer => ({
  status,
  json: { message },
  headers: { 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/` },
});

/** AWS's answer to a call whose signature does not hold, or undefined when it does. */
function refusal(ex: MockExchange): MockAnswer | undefined {
  const auth = String(ex.headers.authorization ?? '');
  if (auth.startsWith('Bearer ')) {
    return ex.keys && !ex.keys.includes(auth.slice(7))
      ? awsError(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.')
      : undefined;
  }
  const match = CREDENTIAL.exec(auth);
  const secret = match ? secrets.get(match[1]!) : undefined;
  if (!match || !secret) {
    return awsError(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
  }
  const signed = match[3]!.split(';');
  const headers: Record<string, string> = {};
  for (const name of signed) {
    if (name !== 'host' && !name.startsWith('x-amz-')) headers[name] = String(ex.headers[name] ?? '');
  }
  const amzDate = String(ex.headers['x-amz-date'] ?? '');
  const date = new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13)}`,
  );
  const token = ex.headers['x-amz-security-token'];
  const expected = signRequest(
    {
      method: ex.method,
      url: `http://${ex.headers.host}${ex.path}`,
      headers,
      body: ex.text,
      region: match[2]!,
      service: 'bedrock',
      date,
    },
    { accessKeyId: match[1]!, secretAccessKey: secret, ...(typeof token === 'string' ? { sessionToken: token } : {}) },
  );
  if (expected.authorization !== auth) {
    return awsError(
      403,
      'InvalidSignatureException',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
  }
  return undefined;
}

interface Block {
  text?: string;
  toolUse?: { name?: string };
  toolResult?: { content?: { text?: string }[] };
}

/** A Converse body as the OpenAI-shaped input `chatReply` reads. */
function replyInput(body: Record<string, unknown>): Record<string, unknown> {
  const messages = ((body.messages ?? []) as { role?: string; content?: Block[] }[]).map((m) => {
    const result = m.content?.find((b) => b.toolResult)?.toolResult;
    if (result) return { role: 'tool', content: (result.content ?? []).map((c) => c.text ?? '').join('') };
    return { role: m.role, content: (m.content ?? []).map((b) => b.text ?? '').join(' ') };
  });
  const tools = ((body.toolConfig as { tools?: { toolSpec?: { name?: string } }[] } | undefined)?.tools ?? []).map(
    (t) => ({ function: { name: t.toolSpec?.name } }),
  );
  return { messages, tools };
}

const STOP: Record<Reply['finish'], string> = {
  stop: 'end_turn',
  tool_calls: 'tool_use',
  length: 'max_tokens',
  content_filter: 'content_filtered',
};

const usage = (r: Reply) => ({
  inputTokens: r.promptTokens,
  outputTokens: r.completionTokens,
  totalTokens: r.promptTokens + r.completionTokens,
});

function frame(type: string, payload: unknown): Buffer {
  return encodeEventMessage(
    { ':event-type': type, ':content-type': 'application/json', ':message-type': 'event' },
    JSON.stringify(payload),
  );
}

function streamFrames(r: Reply, chunks: number | undefined): Buffer[] {
  const frames = [frame('messageStart', { role: 'assistant' })];
  let index = 0;
  if (r.text) {
    for (const text of pieces(r.text, chunks))
      frames.push(frame('contentBlockDelta', { contentBlockIndex: 0, delta: { text } }));
    frames.push(frame('contentBlockStop', { contentBlockIndex: 0 }));
    index = 1;
  }
  for (const call of r.toolCalls) {
    frames.push(
      frame('contentBlockStart', {
        contentBlockIndex: index,
        start: { toolUse: { toolUseId: call.id, name: call.name } },
      }),
    );
    for (const input of pieces(call.arguments, chunks ?? 2)) {
      frames.push(frame('contentBlockDelta', { contentBlockIndex: index, delta: { toolUse: { input } } }));
    }
    frames.push(frame('contentBlockStop', { contentBlockIndex: index }));
    index++;
  }
  frames.push(frame('messageStop', { stopReason: STOP[r.finish] }));
  frames.push(frame('metadata', { usage: usage(r), metrics: { latencyMs: 1 } }));
  return frames;
}

export const bedrock: MockDialect = {
  name: 'bedrock',
  route(method, path) {
    const match = method === 'POST' ? PATH.exec(path) : null;
    if (!match) return undefined;
    return { endpoint: 'chat', model: decodeURIComponent(match[1]!), stream: match[2] === 'converse-stream' };
  },
  key(headers: IncomingHttpHeaders) {
    const auth = String(headers.authorization ?? '');
    if (auth.startsWith('Bearer ')) return auth.slice(7);
    return CREDENTIAL.exec(auth)?.[1];
  },
  errorBody: (status, message) => ({ message: message ?? `mock upstream error ${status}` }),
  streamError: (message) =>
    encodeEventMessage(
      {
        ':message-type': 'exception',
        ':exception-type': 'modelStreamErrorException',
        ':content-type': 'application/json',
      },
      JSON.stringify({ message }),
    ),
  answer(ex) {
    const refused = refusal(ex);
    if (refused) return refused;
    if (!Array.isArray(ex.body.messages)) return awsError(400, 'ValidationException', 'messages: required');
    const reply = chatReply(replyInput(ex.body), ex.reply === undefined ? {} : { override: ex.reply });
    if (ex.finishReason && !reply.toolCalls.length) reply.finish = ex.finishReason;
    if (ex.route.stream)
      return { stream: streamFrames(reply, ex.chunks), contentType: 'application/vnd.amazon.eventstream' };
    const content: Record<string, unknown>[] = [];
    if (reply.text) content.push({ text: reply.text });
    for (const call of reply.toolCalls) {
      content.push({ toolUse: { toolUseId: call.id, name: call.name, input: JSON.parse(call.arguments) } });
    }
    return {
      json: {
        output: { message: { role: 'assistant', content } },
        stopReason: STOP[reply.finish],
        usage: usage(reply),
        metrics: { latencyMs: 1 },
      },
    };
  },
};
