/**
 * OpenTelemetry tracing, turned on for one gateway by the `OTEL_*` variables of its environment: spans exported over
 * OTLP/HTTP (JSON) to a receiver in the test, a server span per request and a client span per upstream attempt, with
 * the GenAI semantic-convention attributes. Off by default.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTracing, tracingSettings } from '../src/tracing.ts';
import { CLIENT_KEY, capturingLogger, primaryAndBackup, startGateway } from './harness.ts';
import { type MockUpstream, startMockUpstream } from './mock-upstream.ts';

interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: OtlpValue[] };
}
interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  attributes?: OtlpAttribute[];
  status?: { code?: number; message?: string };
}
interface OtlpExport {
  resourceSpans: { resource: { attributes: OtlpAttribute[] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
}

const SPAN_KIND_SERVER = 2;
const SPAN_KIND_CLIENT = 3;
const STATUS_CODE_ERROR = 2;

function plain(value: OtlpValue): unknown {
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(plain);
  if (value.intValue !== undefined) return Number(value.intValue);
  return value.stringValue ?? value.doubleValue ?? value.boolValue;
}

function attributes(list: OtlpAttribute[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((a) => [a.key, plain(a.value)]));
}

/** An OTLP/HTTP collector: keeps every export POSTed to /v1/traces, with its headers. */
async function startReceiver(): Promise<{
  url: string;
  exports: OtlpExport[];
  headers: string[];
  contentTypes: string[];
  close(): Promise<void>;
}> {
  const exports: OtlpExport[] = [];
  const headers: string[] = [];
  const contentTypes: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/traces') {
        const type = String(req.headers['content-type']);
        contentTypes.push(type);
        if (type === 'application/json') exports.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpExport);
        headers.push(String(req.headers['x-collector-token']));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } else res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    exports,
    headers,
    contentTypes,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('tracing on (OTLP/HTTP JSON)', () => {
  let mock: MockUpstream;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let spans: OtlpSpan[];
  let resource: Record<string, unknown>;
  let requestId: string;
  const CLIENT_TRACE = '0af7651916cd43dd8448eb211c80319c';
  const CLIENT_SPAN = 'b7ad6b7169203331';

  beforeAll(async () => {
    mock = await startMockUpstream({ keys: ['k-primary', 'k-backup'] });
    receiver = await startReceiver();
    const gateway = await startGateway(
      {
        routing: { strategy: 'priority' },
        providers: primaryAndBackup(mock.url),
      },
      {
        env: {
          OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
          OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-token=s3cret%20value',
          OTEL_SERVICE_NAME: 'switchyard-under-test',
          OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=test',
        },
      },
    );
    expect(gateway.gw.tracing).toBeDefined();
    // An Anthropic client on an OpenAI upstream: the canonical road, where the finish reason is known.
    mock.enqueue({ status: 429, headers: { 'retry-after': '0' } }, { key: 'k-primary' });
    const res = await request(`${gateway.url}/v1/messages`, {
      method: 'POST',
      headers: {
        'x-api-key': CLIENT_KEY,
        'anthropic-version': '2023-06-01',
        'content-type': 'application/json',
        traceparent: `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01`,
      },
      body: JSON.stringify({
        model: 'gpt-4o-mini',
        max_tokens: 64,
        temperature: 0.25,
        messages: [{ role: 'user', content: 'trace me' }],
      }),
    });
    expect(res.statusCode).toBe(200);
    requestId = String(res.headers['x-request-id']);
    await res.body.dump();
    // Closing the gateway exports what the batch processor still holds.
    await gateway.close();
    spans = receiver.exports.flatMap((e) => e.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)));
    resource = attributes(receiver.exports[0]?.resourceSpans[0]?.resource.attributes);
  });

  afterAll(async () => {
    await receiver.close();
    await mock.close();
  });

  test('the exporter sends the configured headers and resource', () => {
    expect(receiver.headers[0]).toBe('s3cret value');
    expect(resource).toMatchObject({
      'service.name': 'switchyard-under-test',
      'deployment.environment': 'test',
      'telemetry.sdk.language': 'nodejs',
    });
  });

  test("one server span per request, named after the operation and model, in the client's trace", () => {
    const servers = spans.filter((s) => s.kind === SPAN_KIND_SERVER);
    expect(servers).toHaveLength(1);
    const server = servers[0]!;
    expect(server.name).toBe('chat gpt-4o-mini');
    expect(server.traceId).toBe(CLIENT_TRACE);
    expect(server.parentSpanId).toBe(CLIENT_SPAN);
    expect(server.status?.code ?? 0).not.toBe(STATUS_CODE_ERROR);
    const attrs = attributes(server.attributes);
    expect(attrs).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.request.max_tokens': 64,
      'gen_ai.request.temperature': 0.25,
      'gen_ai.response.model': 'gpt-4o-mini',
      'gen_ai.provider.name': 'openai',
      'gen_ai.response.finish_reasons': ['stop'],
      'http.route': '/v1/messages',
      'http.response.status_code': 200,
      'switchyard.channel': 'backup',
      'switchyard.request_id': requestId,
    });
    expect(attrs['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
    expect(attrs['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
    expect(JSON.stringify(server)).not.toContain('trace me');
  });

  test('a client span per upstream attempt: the failed one in error, the retry its sibling', () => {
    const server = spans.find((s) => s.kind === SPAN_KIND_SERVER)!;
    const attempts = spans
      .filter((s) => s.kind === SPAN_KIND_CLIENT)
      .sort((a, b) => Number(BigInt(a.startTimeUnixNano) - BigInt(b.startTimeUnixNano)));
    expect(attempts).toHaveLength(2);
    for (const attempt of attempts) {
      expect(attempt.traceId).toBe(server.traceId);
      expect(attempt.parentSpanId).toBe(server.spanId);
      expect(attempt.name).toBe('chat gpt-4o-mini');
    }
    const [failed, answered] = attempts as [OtlpSpan, OtlpSpan];
    expect(failed.status?.code).toBe(STATUS_CODE_ERROR);
    expect(attributes(failed.attributes)).toMatchObject({
      'error.type': '429',
      'http.response.status_code': 429,
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'server.address': '127.0.0.1',
      'server.port': Number(new URL(mock.url).port),
      'switchyard.channel': 'primary',
    });
    expect(answered.status?.code ?? 0).not.toBe(STATUS_CODE_ERROR);
    const answeredAttrs = attributes(answered.attributes);
    expect(answeredAttrs).toMatchObject({
      'switchyard.channel': 'backup',
      'gen_ai.response.model': 'gpt-4o-mini',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.request.max_tokens': 64,
    });
    expect(answeredAttrs['error.type']).toBeUndefined();
    expect(answeredAttrs['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
  });
});

test('http/protobuf, the standard default, when OTEL_EXPORTER_OTLP_PROTOCOL is not set', async () => {
  const mock = await startMockUpstream();
  const receiver = await startReceiver();
  try {
    const gateway = await startGateway(
      { providers: [{ name: 'mock', type: 'openai', base_url: `${mock.url}/v1`, models: ['gpt-4o-mini'] }] },
      { env: { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces` } },
    );
    await gateway
      .openai()
      .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    await gateway.close();
    expect(receiver.contentTypes).toEqual(['application/x-protobuf']);
  } finally {
    await receiver.close();
    await mock.close();
  }
});

describe('tracing off', () => {
  test('without OTEL_* variables a gateway has no tracing at all', async () => {
    const gateway = await startGateway({});
    try {
      expect(gateway.gw.tracing).toBeUndefined();
    } finally {
      await gateway.close();
    }
  });

  test('the standard variables decide: endpoint or otlp exporter on; OTEL_SDK_DISABLED and none off', () => {
    expect(tracingSettings({}).settings).toBeUndefined();
    expect(tracingSettings({ OTEL_TRACES_EXPORTER: 'otlp' }).settings).toMatchObject({
      protocol: 'http/protobuf',
      url: 'http://localhost:4318/v1/traces',
    });
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).settings?.url).toBe(
      'http://collector:4318/v1/traces',
    );
    expect(
      tracingSettings({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:9999/custom',
      }).settings?.url,
    ).toBe('http://traces:9999/custom');
    expect(
      tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' }).settings,
    ).toBeUndefined();
    expect(
      tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_EXPORTER: 'none' }).settings,
    ).toBeUndefined();
    const grpc = tracingSettings({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' });
    expect(grpc.settings).toBeUndefined();
    expect(grpc.problem).toMatch(/grpc is not supported/);
  });

  test('an unsupported protocol leaves tracing off with a warning, and the gateway serves', async () => {
    const { log, lines } = capturingLogger();
    const tracing = await startTracing(
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' },
      log,
    );
    expect(tracing).toBeUndefined();
    expect(lines).toContainEqual(expect.objectContaining({ level: 40, msg: expect.stringMatching(/^tracing is off/) }));
  });
});
