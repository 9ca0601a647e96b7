/**
 * Fault injection: every upstream fault, on each road through the gateway (pass-through and converted, OpenAI,
 * Anthropic and Gemini clients), for streams and whole answers. Before the first byte reached the client a fault
 * fails over to the next deployment (or, when every deployment fails, answers the right status in the client's
 * format); after it, the stream ends with an error event in the client's format. Every case also checks that no
 * rejection went unhandled, that no socket or upstream request was left behind, and what the usage log billed.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import {
  answerText,
  ask,
  chatRequest,
  deadPort,
  endedCleanly,
  errorBodyOf,
  FAULT_KEY_IDS,
  faultPrices,
  faultProviders,
  faultSuite,
  type LeakCheck,
  open,
  ROADS,
  type Road,
  readAll,
  streamErrorOf,
  usageLogOf,
} from './faults.ts';
import { type RunningGateway, startGateway } from './harness.ts';
import { type Behaviour, type MockUpstream, startMockUpstream } from './mock-upstream.ts';

/** The faulty deployments' upstream timeout (time to headers, and between chunks). */
const TIMEOUT_MS = 150;
const REPLY = 'alpha bravo charlie delta echo foxtrot golf hotel india juliet';
const HEALTHY = 'the healthy deployment answers';

const suite = faultSuite(async () => {
  const mock = await startMockUpstream();
  const gateway = await startGateway({
    routing: { retries: 2, strategy: 'priority' },
    providers: faultProviders(mock.url, `http://127.0.0.1:${await deadPort()}`, `${TIMEOUT_MS}ms`),
    prices: faultPrices(),
  });
  return { gateway, mock };
});
let mock: MockUpstream;
let gateway: RunningGateway;
let leaks: LeakCheck;

beforeEach(() => {
  ({ mock, gateway, leaks } = suite);
  for (const key of FAULT_KEY_IDS) gateway.gw.keyHealth.enable(key);
  mock.setKeyBehaviour('sk-healthy', { reply: HEALTHY });
});

/** Where a fault leaves the client when the faulty deployment is tried first and a healthy one is behind it. */
type Outcome = 'failover' | 'error-event';

interface Fault {
  name: string;
  /** The faulty deployment's behaviour (stream or not), or `refused`: a deployment on a port nobody listens on. */
  behaviour: 'refused' | ((stream: boolean) => Behaviour);
  /** For streams (whole answers always fail over: nothing reached the client before the body was complete). */
  stream: Outcome;
  /** The client's status when the faulty deployment is the only one, and its Retry-After. */
  alone: { status: number; retryAfter?: string };
  /**
   * Waits for the upstream timeout, which undici checks about once a second whatever its length: tried on one
   * pass-through and one converted road only, to keep the suite fast.
   */
  slow?: boolean;
}

const SLOW_ROADS = new Set(['OpenAI → openai (pass-through)', 'Gemini → gemini (converted)']);

const MID = 5; // stream messages before a mid-stream fault: text has reached the client on every dialect

const FAULTS: Fault[] = [
  { name: 'connection refused', behaviour: 'refused', stream: 'failover', alone: { status: 502 } },
  {
    name: 'reset before headers',
    behaviour: () => ({ resetBeforeHeaders: true }),
    stream: 'failover',
    alone: { status: 502 },
  },
  {
    name: 'reset mid-stream',
    behaviour: (stream) => ({ cutAfterChunks: stream ? MID : 1 }),
    stream: 'error-event',
    alone: { status: 502 },
  },
  {
    name: 'slow headers past the timeout',
    behaviour: () => ({ delayMs: 2_000 }),
    stream: 'failover',
    alone: { status: 504 },
    slow: true,
  },
  {
    name: 'a stream that stalls (idle timeout)',
    behaviour: (stream) => ({ stallAfterChunks: stream ? MID : 1 }),
    stream: 'error-event',
    alone: { status: 504 },
    slow: true,
  },
  {
    name: 'malformed JSON (a 200 that is an HTML page)',
    behaviour: () => ({ body: '<html><body>502 Bad Gateway</body></html>', headers: { 'content-type': 'text/html' } }),
    stream: 'failover',
    alone: { status: 502 },
  },
  {
    name: 'malformed JSON (a 200 whose JSON is cut short)',
    behaviour: (stream) => (stream ? { truncateAfterChunks: 0 } : { truncateAfterChunks: 1 }),
    stream: 'error-event',
    alone: { status: 502 },
  },
  {
    name: 'the stream ends early, between two events',
    behaviour: (stream) => ({ endAfterChunks: stream ? MID : 1 }),
    stream: 'error-event',
    alone: { status: 502 },
  },
  {
    name: 'a truncated SSE event, then the connection ends',
    behaviour: (stream) => ({ truncateAfterChunks: stream ? MID : 1 }),
    stream: 'error-event',
    alone: { status: 502 },
  },
  ...[500, 502, 503, 429].flatMap((status): Fault[] => [
    {
      name: `${status} without Retry-After`,
      behaviour: () => ({ status }),
      stream: 'failover',
      alone: { status: status === 429 ? 429 : 502 },
    },
    {
      name: `${status} with Retry-After`,
      behaviour: () => ({ status, headers: { 'retry-after': '7' } }),
      stream: 'failover',
      alone: { status: status === 429 ? 429 : 502, retryAfter: '7' },
    },
  ]),
];

function arm(fault: Fault, stream: boolean): void {
  if (fault.behaviour !== 'refused') mock.setKeyBehaviour('sk-faulty', { reply: REPLY, ...fault.behaviour(stream) });
}

/** The model with the faulty deployment first (and a healthy one behind it unless `alone`). */
function modelFor(road: Road, fault: Fault, alone: boolean): string {
  const dead = fault.behaviour === 'refused' ? '-dead' : '';
  return `${road.upstream}${dead}${alone ? '-solo' : ''}`;
}

/** Keys the mock saw, in order. */
const keysSeen = () => mock.requests.map((r) => r.key);

for (const road of ROADS) {
  describe(road.name, () => {
    for (const fault of FAULTS.filter((f) => !f.slow || SLOW_ROADS.has(road.name))) {
      for (const stream of [false, true]) {
        const mode = stream ? 'stream' : 'whole answer';
        const outcome: Outcome = stream ? fault.stream : 'failover';

        if (outcome === 'failover') {
          test(`${fault.name} (${mode}): the next deployment answers`, async () => {
            arm(fault, stream);
            const res = await ask(gateway, road.inbound, modelFor(road, fault, false), stream).answer;
            expect(res.status, res.text).toBe(200);
            expect(answerText(road.inbound, stream, res.text)).toBe(HEALTHY);
            if (stream) expect(endedCleanly(road.inbound, res.text)).toBe(true);
            // The faulty deployment was tried first (a refused connection never reaches the mock).
            expect(keysSeen()).toEqual(fault.behaviour === 'refused' ? ['sk-healthy'] : ['sk-faulty', 'sk-healthy']);
            const log = await usageLogOf(gateway, String(res.headers['x-request-id']));
            expect(log).toMatchObject({ status: 200, channel: `${road.upstream}-good` });
            expect(log.completion_tokens).toBeGreaterThan(0);
            expect(log.cost_usd).toBeGreaterThan(0);
          });

          test(`${fault.name} (${mode}), no other deployment: ${fault.alone.status} in the client's format`, async () => {
            arm(fault, stream);
            const res = await ask(gateway, road.inbound, modelFor(road, fault, true), stream).answer;
            expect(res.status, res.text).toBe(fault.alone.status);
            expect(res.headers['retry-after']).toBe(fault.alone.retryAfter);
            const error = errorBodyOf(road.inbound, res.text);
            expect(error.message).not.toMatch(/sk-/); // names the channel, never a key
            const log = await usageLogOf(gateway, String(res.headers['x-request-id']));
            expect(log).toMatchObject({ status: fault.alone.status, completion_tokens: 0, cost_usd: 0 });
          });
        } else {
          test(`${fault.name} (${mode}): after the first byte, an error event ends the stream`, async () => {
            arm(fault, stream);
            const res = await ask(gateway, road.inbound, modelFor(road, fault, false), stream).answer;
            expect(res.status).toBe(200);
            const error = streamErrorOf(road.inbound, res.text);
            expect(error, res.text).toBeDefined();
            expect(keysSeen()).toEqual(['sk-faulty']); // bytes had gone out: never retried
            const log = await usageLogOf(gateway, String(res.headers['x-request-id']));
            expect(log).toMatchObject({ status: fault.alone.status, channel: `${road.upstream}-bad` });
            // Billed for what was delivered: the text that reached the client (and the prompt upstream read).
            if (answerText(road.inbound, true, res.text)) {
              expect(log.completion_tokens).toBeGreaterThan(0);
              expect(log.cost_usd).toBeGreaterThan(0);
            } else expect(log.completion_tokens).toBe(0);
          });
        }
      }
    }
  });
}

test('the leak check sees a socket nobody closed and a request left open upstream', async () => {
  mock.setKeyBehaviour('sk-faulty', { hang: true });
  const left = ask(gateway, 'openai', 'openai-solo', false);
  await mock.until(() => mock.inFlight === 1);
  const problems = leaks.problems();
  expect(problems.join('\n')).toMatch(/still open at the mock/);
  expect(problems.join('\n')).toMatch(/TCP sockets open/);
  left.destroy();
  await left.answer.catch(() => undefined);
});

describe('a huge answer', () => {
  /** About `mb` megabytes of text in words of 100 characters (few words: the mock counts them). */
  const bigText = (mb: number) => `${'a'.repeat(99)} `.repeat(mb * 10_486);
  const words = (text: string) => text.split(' ').filter(Boolean).length;
  const HUGE_ROADS = ROADS.filter(
    (r) => r.name === 'OpenAI → openai (pass-through)' || r.name === 'Anthropic → openai (converted)',
  );

  for (const road of HUGE_ROADS) {
    test(`${road.name}: a 50 MB whole answer reaches the client intact, and is billed`, async () => {
      const text = bigText(50);
      mock.setKeyBehaviour('sk-faulty', { reply: text });
      const res = await ask(gateway, road.inbound, road.upstream, false).answer;
      expect(res.status).toBe(200);
      expect(answerText(road.inbound, false, res.text) === text).toBe(true);
      const log = await usageLogOf(gateway, String(res.headers['x-request-id']));
      expect(log.completion_tokens).toBe(words(text));
    });

    test(`${road.name}: a stream is never held whole: a client that stops reading holds upstream back`, async () => {
      const text = bigText(24); // in 6,000 events of 4 KB
      mock.setKeyBehaviour('sk-faulty', { reply: text, chunks: 6_000 });
      const { path, body, headers } = chatRequest(road.inbound, road.upstream, true);
      const res = await open(gateway.url, path, body, headers).response;
      res.pause();
      // Upstream sends until every buffer on the way is full, then waits for the client.
      let sent = -1;
      while (mock.requests[0]?.sent !== sent) {
        sent = mock.requests[0]?.sent ?? 0;
        await sleep(100);
      }
      expect(sent).toBeGreaterThan(0);
      expect(sent).toBeLessThan(3_000); // not half of it: the socket buffers on the way, not the whole stream
      const answer = await readAll(res);
      expect(answerText(road.inbound, true, answer.text) === text).toBe(true);
      expect(endedCleanly(road.inbound, answer.text)).toBe(true);
      const log = await usageLogOf(gateway, String(answer.headers['x-request-id']));
      expect(log.completion_tokens).toBe(words(text));
    });
  }

  describe('past routing.response_limit', () => {
    let small: RunningGateway;
    let smallMock: MockUpstream;
    let forget: () => void;

    beforeAll(async () => {
      smallMock = await startMockUpstream();
      small = await startGateway({
        routing: { retries: 2, strategy: 'priority', response_limit: '1mb' },
        providers: faultProviders(smallMock.url, `http://127.0.0.1:${await deadPort()}`, `${TIMEOUT_MS}ms`),
      });
      forget = suite.leaks.add(small, smallMock);
    });

    afterAll(async () => {
      await small?.close();
      await smallMock?.close();
      await suite.leaks.settle();
      forget?.();
    });

    beforeEach(() => smallMock.reset());

    for (const road of HUGE_ROADS) {
      test(`${road.name}: a whole answer is abandoned: 502 in the client's format, the upstream request closed`, async () => {
        // 4 MB in two halves a while apart: the first half is already past the limit.
        smallMock.setKeyBehaviour('sk-faulty', { reply: bigText(4), chunkDelayMs: 5_000 });
        const started = performance.now();
        const res = await ask(small, road.inbound, road.upstream, false).answer;
        expect(performance.now() - started).toBeLessThan(2_000);
        expect(res.status).toBe(502);
        expect(errorBodyOf(road.inbound, res.text).message).toMatch(/larger than the gateway accepts/);
        await smallMock.until(() => smallMock.requests[0]?.aborted === true, 1_000);
        expect(smallMock.requests).toHaveLength(1); // not retried: another deployment's answer would be as large
        const log = await usageLogOf(small, String(res.headers['x-request-id']));
        expect(log).toMatchObject({ status: 502, cost_usd: 0 });
      });

      test(`${road.name}: a stream has no limit: 3 MB pass on to the client`, async () => {
        const text = bigText(3);
        smallMock.setKeyBehaviour('sk-faulty', { reply: text, chunks: 300 });
        const res = await ask(small, road.inbound, road.upstream, true).answer;
        expect(answerText(road.inbound, true, res.text) === text).toBe(true);
        expect(endedCleanly(road.inbound, res.text)).toBe(true);
      });
    }
  });
});
