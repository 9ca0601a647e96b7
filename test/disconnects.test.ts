/**
 * A client that goes away aborts the upstream request within 100 ms, whatever it was waiting for: upstream's headers,
 * the next chunk of a stream, the rest of a whole answer, a free slot in the deployment's queue (it then never reaches
 * upstream), or a virtual model's member calls; on the OpenAI, Anthropic and Gemini routes alike. Measured from the
 * moment the client destroys its socket to the moment the mock upstream sees its connection close.
 */
import { beforeEach, describe, expect, test } from 'vitest';
import { ask, baseUrl, faultSuite, type LeakCheck, ROADS, type Road, UPSTREAM_MODEL } from './faults.ts';
import { type RunningGateway, startGateway } from './harness.ts';
import { type Behaviour, type MockUpstream, type RecordedRequest, startMockUpstream } from './mock-upstream.ts';

/** The bound: from the client's disconnect to the upstream request's close. */
const ABORT_WITHIN_MS = 100;
const LONG = 10_000;

const suite = faultSuite(async () => {
  const mock = await startMockUpstream();
  const types = ['openai', 'anthropic', 'gemini'] as const;
  const gateway = await startGateway({
    routing: { retries: 0 },
    providers: [
      ...types.map((type) => ({
        name: type,
        type,
        base_url: baseUrl(type, mock.url),
        keys: [`sk-${type}`],
        model_map: { [type]: UPSTREAM_MODEL[type] },
      })),
      {
        name: 'narrow',
        type: 'openai',
        base_url: baseUrl('openai', mock.url),
        keys: ['sk-narrow'],
        model_map: { 'narrow-model': 'gpt-4o-mini' },
        limits: { concurrency: 1, queue_timeout: '10s' },
      },
      {
        name: 'members',
        type: 'openai',
        base_url: baseUrl('openai', mock.url),
        keys: ['sk-member'],
        models: ['m-a', 'm-b', 'm-sum', 'm-think'],
      },
    ],
    models: {
      virtual: [
        { name: 'council', type: 'ensemble', members: ['m-a', 'm-b'], summarizer: 'm-sum', status_feedback: true },
        { name: 'thinker', type: 'reasoning', model: 'm-think', status_feedback: true },
      ],
    },
  });
  return { gateway, mock };
});
let mock: MockUpstream;
let gateway: RunningGateway;
let leaks: LeakCheck;
beforeEach(() => ({ mock, gateway, leaks } = suite));

/** The newest usage log of a client request (not a virtual model's call). */
async function lastClientLog() {
  await gateway.gw.usage.flush();
  return gateway.gw.store.db
    .selectFrom('usage_logs')
    .selectAll()
    .where('parent_request_id', 'is', null)
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
}

/** Upstream requests still open. */
const openNow = (): RecordedRequest[] => mock.requests.filter((r) => r.closedAt === undefined);

/**
 * Destroys the client's connection and checks that each of `upstream` (default: every upstream request open now) saw
 * its connection close within the bound, as an abort; returns when the client left (wall clock, as usage logs are).
 */
async function disconnect(
  client: { destroy(): void; answer: Promise<unknown> },
  upstream: RecordedRequest[] = openNow(),
): Promise<number> {
  const wall = Date.now();
  const at = performance.now();
  client.destroy();
  await expect(client.answer).rejects.toThrow();
  await mock.until(() => upstream.every((r) => r.closedAt !== undefined), 2_000);
  for (const r of upstream) {
    expect(r.aborted).toBe(true);
    expect(r.closedAt! - at).toBeLessThan(ABORT_WITHIN_MS);
  }
  return wall;
}

interface Stage {
  name: string;
  stream: boolean;
  behaviour: Behaviour;
  /** Resolves once the request is at the stage (upstream holds it). */
  reached(client: ReturnType<typeof ask>): Promise<void>;
  /** The answer had begun: the prompt upstream read is billed (else nothing is). */
  billed?: boolean;
}

const STAGES: Stage[] = [
  {
    name: 'upstream has not sent its headers yet',
    stream: true,
    behaviour: { delayMs: LONG },
    reached: () => mock.until(() => mock.inFlight === 1),
  },
  {
    name: 'mid-stream, between two chunks',
    stream: true,
    behaviour: { chunkDelayMs: LONG },
    reached: (client) => client.firstByte,
    billed: true,
  },
  {
    name: 'a whole answer: upstream has not sent its headers yet',
    stream: false,
    behaviour: { delayMs: LONG },
    reached: () => mock.until(() => mock.inFlight === 1),
  },
  {
    name: 'a whole answer: waiting for the rest of a slow body',
    stream: false,
    behaviour: { chunkDelayMs: LONG },
    reached: () => mock.until(() => mock.requests[0]?.sent === 1),
  },
];

function upstreamKey(road: Road): string {
  return `sk-${road.upstream}`;
}

for (const road of ROADS) {
  describe(road.name, () => {
    for (const stage of STAGES) {
      test(`a client gone while ${stage.name} aborts the upstream request within ${ABORT_WITHIN_MS} ms`, async () => {
        mock.setKeyBehaviour(upstreamKey(road), stage.behaviour);
        const client = ask(gateway, road.inbound, road.upstream, stage.stream);
        await stage.reached(client);
        expect(openNow()).toHaveLength(1);
        await disconnect(client);
        const log = await lastClientLog();
        expect(log.status).toBe(499);
        if (stage.billed) expect(log.prompt_tokens).toBeGreaterThan(0);
        else expect(log).toMatchObject({ prompt_tokens: 0, completion_tokens: 0, cost_usd: 0 });
      });
    }
  });
}

describe('waiting in the deployment queue', () => {
  test('a client gone while its request waits for a slot leaves the queue at once and never reaches upstream', async () => {
    mock.setKeyBehaviour('sk-narrow', { delayMs: 300 });
    const holder = ask(gateway, 'openai', 'narrow-model', false);
    await mock.until(() => mock.inFlight === 1);
    const waiter = ask(gateway, 'openai', 'narrow-model', true);
    await new Promise((resolve) => setTimeout(resolve, 50)); // through auth and hold, into the queue
    const gone = await disconnect(waiter, []);
    const log = await lastClientLog();
    expect(log).toMatchObject({ status: 499, error: 'The request was cancelled.' });
    expect(log.created_at - gone).toBeLessThan(ABORT_WITHIN_MS); // settled when the client left
    expect((await holder.answer).status).toBe(200);
    await leaks.settle();
    expect(mock.requests).toHaveLength(1); // the slot freed, and nobody took it to upstream
  });
});

describe('a virtual model calling its members', () => {
  test('ensemble (whole answer): every member call is aborted', async () => {
    mock.setKeyBehaviour('sk-member', { delayMs: LONG });
    const client = ask(gateway, 'openai', 'council', false);
    await mock.until(() => mock.inFlight === 2);
    await disconnect(client);
    expect(mock.requests.map((r) => r.model).sort()).toEqual(['m-a', 'm-b']); // the summarizer was never asked
    expect((await lastClientLog()).status).toBe(499);
  });

  test('ensemble (stream, status lines already sent): every member call is aborted', async () => {
    mock.setKeyBehaviour('sk-member', { delayMs: LONG });
    mock.enqueue({ reply: 'a answers', delayMs: 0 }, { model: 'm-a' }); // one member answers: its status line goes out
    const client = ask(gateway, 'anthropic', 'council', true);
    await client.firstByte;
    await mock.until(() => mock.inFlight === 1);
    await disconnect(client);
    expect(mock.requests.map((r) => r.model).sort()).toEqual(['m-a', 'm-b']);
  });

  test('reasoning (stream, on the Gemini route): the step call is aborted', async () => {
    mock.setKeyBehaviour('sk-member', { delayMs: LONG });
    const client = ask(gateway, 'gemini', 'thinker', true);
    await mock.until(() => mock.inFlight === 1);
    await disconnect(client);
    expect(mock.requests).toHaveLength(1); // no retry of the step after the client left
  });
});
