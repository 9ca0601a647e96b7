/**
 * Hostile input: thousands of generated malformed, oversized and odd requests at every relay and admin route of a
 * real gateway (routes taken from the app itself, so a route added later is fuzzed too), through `app.inject()` for
 * speed and a sample over real sockets. Every answer is below 500, every error in its route's format; nothing is left
 * unhandled, the heap does not grow and the event loop is never held for long. A failure prints FUZZ_SEED: run the
 * file with it to replay the same requests. FUZZ_RUNS sets how many requests in all, FUZZ_ROUTES (a regex over
 * `METHOD /url`) which routes, FUZZ_VERBOSE=1 prints timings and slow requests, FUZZ_TRACE=<file> logs every request.
 */
import { appendFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { request } from 'undici';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ADMIN_ROUTES } from '../src/server/admin/routes.ts';
import { SESSION_COOKIE } from '../src/server/admin/session.ts';
import { MemoryResponseStore } from '../src/state/response-store.ts';
import { tokenHash } from '../src/store/tokens.ts';
import { type FuzzRequest, requestsFor, strayRequests } from './fuzz/requests.ts';
import { errorFormatOf, errorShapeProblem, type FuzzRoute, routeCollector } from './fuzz/routes.ts';
import { ADMIN_NAMES } from './fuzz/seeds.ts';
import { startWatchdog, type Watchdog } from './fuzz/watchdog.ts';
import { CLIENT_KEY, type RunningGateway, startGateway } from './harness.ts';
import { type MockUpstream, startMockUpstream } from './mock-upstream.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 80_808);
const TOTAL_RUNS = Number(process.env.FUZZ_RUNS ?? 10_500);
const BODY_LIMIT = 1024 * 1024;
/** Heap growth allowed from the end of the first round (about a thousand requests) to the end, after full GCs. */
const HEAP_GROWTH_BOUND = 32 * 1024 * 1024;
const ADMIN_TOKEN = 'fuzz-admin-access-token';
/**
 * The longest the event loop may be held by one piece of work: a request that blocks it stalls every other one
 * (a 50,000-letter word once held it for minutes in the tokenizer). Generous: the machine may be busy. Past it the
 * watchdog kills the run, naming the request.
 */
const LOOP_STALL_BOUND_MS = 20_000;
const ROUNDS = 10;
const STRAY_RUNS = 300;

// A full GC on demand, to measure the heap (vitest does not pass --expose-gc to its workers).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let mock: MockUpstream;
let gateway: RunningGateway;
let watchdog: Watchdog;
const collector = routeCollector(ADMIN_ROUTES);
const unhandled: unknown[] = [];
const onUnhandled = (err: unknown): void => {
  unhandled.push(err);
};

beforeAll(async () => {
  watchdog = startWatchdog(LOOP_STALL_BOUND_MS);
  process.on('unhandledRejection', onUnhandled);
  process.on('uncaughtException', onUnhandled);
  mock = await startMockUpstream();
  gateway = await startGateway(
    {
      server: { body_limit: BODY_LIMIT },
      rate_limits: { api_per_ip: 0 },
      providers: [
        {
          name: 'mock',
          type: 'openai',
          base_url: `${mock.url}/v1`,
          keys: ['up-1'],
          models: ['gpt-4o-mini', 'text-embedding-3-small'],
        },
        { name: 'claude', type: 'anthropic', base_url: mock.url, keys: ['sk-ant-up'], models: ['claude-sonnet-4-6'] },
        { name: 'gm', type: 'gemini', base_url: mock.url, keys: ['gm-key'], models: ['gemini-2.5-flash'] },
      ],
      // Virtual models and conversation trimming: more code behind the decoders for hostile bodies to reach.
      models: {
        virtual: [
          {
            name: 'fuzz-ensemble',
            type: 'ensemble',
            members: ['gpt-4o-mini', 'claude-sonnet-4-6'],
            summarizer: 'gpt-4o-mini',
          },
          { name: 'fuzz-reasoning', type: 'reasoning', model: 'gpt-4o-mini', max_steps: 2, step_retries: 0 },
        ],
        context_windows: { 'gpt-4o-mini': 2_000 },
      },
    },
    {
      onApp: (app, gw) => {
        app.addHook('onRoute', collector.onRoute);
        // Stored responses are bounded by design (128 MB in process): bounded lower here, so that the heap check
        // measures what nothing bounds.
        gw.responses = new MemoryResponseStore({ maxBytes: 4 * 1024 * 1024 });
      },
    },
  );
});

afterAll(async () => {
  await gateway?.close();
  await mock?.close();
  process.off('unhandledRejection', onUnhandled);
  process.off('uncaughtException', onUnhandled);
  await watchdog?.stop();
});

/**
 * Root as the fuzz calls it: whatever earlier requests changed (a password change ends sessions, an access token is
 * revoked, a forced password change), root is made usable again and a fresh session minted.
 */
async function rootCredentials(): Promise<{ cookie: string; token: string }> {
  const { db } = gateway.gw.store;
  const root = await db.selectFrom('users').selectAll().where('username', '=', 'root').executeTakeFirstOrThrow();
  if (root.must_change_password || root.access_token_hash !== tokenHash(ADMIN_TOKEN)) {
    await db
      .updateTable('users')
      .set({ must_change_password: 0, access_token_hash: tokenHash(ADMIN_TOKEN) })
      .where('id', '=', root.id)
      .execute();
  }
  const session = { u: root.id, e: root.session_epoch, x: Date.now() + 3_600_000 };
  const cookie = `${SESSION_COOKIE}=${encodeURIComponent(gateway.gw.secret.sign(JSON.stringify(session)))}`;
  return { cookie, token: ADMIN_TOKEN };
}

/** The request's headers and URL with its credentials filled in. */
async function wire(r: FuzzRequest): Promise<{ url: string; headers: Record<string, string> }> {
  const headers: Record<string, string> = { ...r.headers };
  let url = `${r.path}${r.query}`;
  const { auth } = r;
  if (auth.kind === 'bad') headers[auth.header] = auth.value;
  else if (auth.kind === 'valid') {
    if (auth.via === 'bearer') headers.authorization = `Bearer ${CLIENT_KEY}`;
    else if (auth.via === 'x-api-key' || auth.via === 'x-goog-api-key') headers[auth.via] = CLIENT_KEY;
    else if (auth.via === 'query') url += `${r.query ? '&' : '?'}key=${CLIENT_KEY}`;
    else {
      const root = await rootCredentials();
      if (auth.via === 'session') headers.cookie = root.cookie;
      else headers.authorization = `Bearer ${root.token}`;
    }
  }
  if (r.body?.contentType !== undefined) headers['content-type'] = r.body.contentType;
  return { url, headers };
}

/** What is wrong with an answer, or undefined. */
function problemWith(r: FuzzRequest, status: number, type: string, body: string): string | undefined {
  if (status >= 500) return `answered ${status}: ${body.slice(0, 300)}`;
  // A body over the limit is a 413, unless the URL (malformed, too long) or the key (relay) was refused first.
  const oversized = r.body?.kind === 'oversized' && r.body.contentType === 'application/json';
  const refusedFirst =
    (status === 401 && r.auth.kind !== 'valid') || status === 414 || body.includes('The URL does not decode');
  if (oversized && !refusedFirst && status !== 413) return `a body over the limit answered ${status}, not 413`;
  if (r.method === 'HEAD') return undefined;
  if (status >= 400) {
    if (!type.startsWith('application/json')) return `an error answered as '${type}': ${body.slice(0, 200)}`;
    // The path as the server sees it, dot segments resolved (`/v1/messages/..` is `/v1/`).
    const path = new URL(r.path, 'http://gateway').pathname;
    return errorShapeProblem(errorFormatOf(r.method, path), status, body);
  }
  if (type.startsWith('application/json')) {
    try {
      JSON.parse(body);
    } catch {
      return `a ${status} answered broken JSON: ${body.slice(0, 200)}`;
    }
  }
  return undefined;
}

/** A request as a failure report shows it: long values cut. */
function describeRequest(r: FuzzRequest): string {
  const cut = (s: string): string => (s.length > 300 ? `${s.slice(0, 300)}…(${s.length} chars)` : s);
  const body = r.body
    ? `${r.body.kind} ${r.body.contentType ?? '(no content-type)'} ${cut(String(r.body.payload))}`
    : '(no body)';
  return `${r.method} ${cut(r.path + r.query)} auth=${JSON.stringify(r.auth).slice(0, 120)} headers=${cut(JSON.stringify(r.headers))} body=${body}`;
}

function settledHeap(): Promise<number> {
  return new Promise((resolve) =>
    setImmediate(() => {
      gc();
      gc();
      resolve(process.memoryUsage().heapUsed);
    }),
  );
}

/**
 * Routes slow by design, fuzzed with fewer requests, beside the others: a request id not (yet) logged is looked up
 * again for 1.4 s, in case another instance has yet to write it.
 */
const SLOW_BY_DESIGN: Record<string, number> = { 'GET /api/cost/request/:id': 12, 'HEAD /api/cost/request/:id': 4 };

/** Runs per route: routes that take a body get three times as many (their decoders are the big surface). */
function runsPerRoute(routes: FuzzRoute[]): number[] {
  const weight = (r: FuzzRoute): number => {
    if (SLOW_BY_DESIGN[`${r.method} ${r.url}`] !== undefined) return 0;
    return ['POST', 'PUT', 'PATCH'].includes(r.method) ? 3 : r.method === 'HEAD' ? 0.3 : 1;
  };
  const sum = routes.reduce((s, r) => s + weight(r), 0);
  return routes.map(
    (r) => SLOW_BY_DESIGN[`${r.method} ${r.url}`] ?? Math.max(20, Math.ceil((TOTAL_RUNS * weight(r)) / sum)),
  );
}

/** How admin bodies are made from their schemas: URLs at the mock, names clear of the relay's models. */
const hints = () => ({ url: `${mock.url}/v1`, names: ADMIN_NAMES });

/** The property: each generated request, sent, answers as problemWith wants. */
function property(requests: fc.Arbitrary<FuzzRequest>, count: () => void, statuses: Map<number, number>) {
  return fc.asyncProperty(
    requests.map((r) => Object.assign(r, { [fc.toStringMethod]: () => describeRequest(r) })),
    async (r) => {
      const description = describeRequest(r);
      watchdog.sending(description);
      if (process.env.FUZZ_TRACE) appendFileSync(process.env.FUZZ_TRACE, `${description}\n`);
      const { url, headers } = await wire(r);
      const started = performance.now();
      const res: LightMyRequestResponse = await gateway.app.inject({
        method: r.method as 'GET',
        url,
        headers,
        ...(r.body ? { payload: r.body.payload } : {}),
      });
      const ms = performance.now() - started;
      if (process.env.FUZZ_VERBOSE && ms > 500)
        console.info(`slow: ${Math.round(ms)} ms ${res.statusCode} ${description.slice(0, 400)}`);
      count();
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      const problem = problemWith(r, res.statusCode, String(res.headers['content-type'] ?? ''), res.body);
      if (problem) throw new Error(problem);
    },
  );
}

test('every relay and admin route answers hostile requests below 500, errors in its format, heap flat', async () => {
  const only = process.env.FUZZ_ROUTES === undefined ? undefined : new RegExp(process.env.FUZZ_ROUTES);
  const routes = collector.routes.filter((r) => !only || only.test(`${r.method} ${r.url}`));
  // The collector saw the app's routes: the relay's, the admin API's and the Gemini wildcard among them.
  expect(collector.routes.filter((r) => r.area === 'admin').length).toBeGreaterThanOrEqual(ADMIN_ROUTES.length);
  for (const key of [
    'POST /v1/chat/completions',
    'POST /v1/messages',
    'POST /v1beta/models/*',
    'DELETE /v1/responses/:id',
  ]) {
    expect(collector.routes.map((r) => `${r.method} ${r.url}`)).toContain(key);
  }
  const runs = runsPerRoute(routes);
  const loopDelay = monitorEventLoopDelay({ resolution: 20 });
  loopDelay.enable();
  let sent = 0;
  const statuses = new Map<number, number>();
  const failures = new Map<string, string>();
  const timings = new Map<string, number>();
  const properties = [
    ...routes.map((route, i) => {
      const name = `${route.method} ${route.url}`;
      const slow = SLOW_BY_DESIGN[name] !== undefined;
      return { name, requests: requestsFor(route, hints(), BODY_LIMIT), runs: runs[i]!, slow };
    }),
    {
      name: 'paths and methods no route takes',
      requests: strayRequests(routes, hints(), BODY_LIMIT),
      runs: STRAY_RUNS,
      slow: false,
    },
  ];
  const check = async (name: string, requests: fc.Arbitrary<FuzzRequest>, numRuns: number, seed: number) => {
    const started = performance.now();
    const details = await fc.check(
      property(requests, () => sent++, statuses),
      { numRuns, seed, endOnFailure: true },
    );
    timings.set(name, (timings.get(name) ?? 0) + performance.now() - started);
    if (!details.failed) return;
    const error =
      details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    const example = details.counterexample ? describeRequest(details.counterexample[0]) : '';
    failures.set(name, `${name} (FUZZ_SEED=${SEED}; fc seed ${seed}): ${error}\n    ${example}`);
  };
  // Slow routes (they wait on timers, not on this process) run beside the others, all their runs at once.
  const slowRuns = Promise.all(
    properties.map((p, i) => (p.slow ? check(p.name, p.requests, p.runs, SEED + 500 + i) : undefined)),
  );
  // The rest in rounds, each route a tenth of its runs per round: every round covers all routes, so the heap after
  // the first (about a thousand requests, everything built lazily by then) compares with the end.
  let heapAfterFirstRound: number | undefined;
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, { name, requests, runs, slow }] of properties.entries()) {
      const numRuns = Math.ceil(runs / ROUNDS);
      if (slow || failures.has(name) || numRuns * round >= runs) continue;
      await check(name, requests, numRuns, SEED + round * 1_000 + i);
    }
    mock.reset(); // the mock keeps every request it saw: not the gateway's memory
    if (round === 0) heapAfterFirstRound = await settledHeap();
    if (process.env.FUZZ_VERBOSE)
      console.info(`round ${round}: ${sent} sent, heap ${((await settledHeap()) / 1e6).toFixed(1)} MB`);
  }
  await slowRuns;
  loopDelay.disable();
  const longestStallMs = loopDelay.max / 1e6;
  const heapAtEnd = await settledHeap();
  if (process.env.FUZZ_VERBOSE) {
    const slowest = [...timings].sort((a, b) => b[1] - a[1]).slice(0, 15);
    console.info(slowest.map(([name, ms]) => `${name}: ${Math.round(ms)} ms`).join('\n'));
  }
  console.info(
    `fuzz: ${sent} requests at ${routes.length} routes, seed ${SEED}; statuses ${JSON.stringify(Object.fromEntries(statuses))}; heap after the first round: ${((heapAfterFirstRound ?? 0) / 1e6).toFixed(1)} MB, at the end: ${(heapAtEnd / 1e6).toFixed(1)} MB; longest event-loop stall ${Math.round(longestStallMs)} ms`,
  );
  expect([...failures.values()]).toEqual([]);
  expect(sent).toBeGreaterThanOrEqual(10_000);
  expect(unhandled).toEqual([]);
  expect(heapAtEnd - heapAfterFirstRound!).toBeLessThan(HEAP_GROWTH_BOUND);
  expect(longestStallMs).toBeLessThan(LOOP_STALL_BOUND_MS);
  // Still serving after all that.
  const health = await request(`${gateway.url}/healthz`);
  expect(health.statusCode).toBe(200);
  await health.body.dump();
}, 180_000);

/** Sends a request over a real socket; undefined when the client itself refuses to send it (a header it cannot write). */
async function overSocket(
  method: string,
  url: string,
  headers: Record<string, string>,
  body?: string | Buffer,
): Promise<{ status: number; type: string; body: string } | undefined> {
  let res: Awaited<ReturnType<typeof request>>;
  try {
    res = await request(`${gateway.url}${url}`, {
      method: method as 'GET',
      headers,
      ...(body === undefined ? {} : { body }),
    });
  } catch (err) {
    if ((err as { code?: string }).code === 'UND_ERR_INVALID_ARG') return undefined;
    throw err;
  }
  return { status: res.statusCode, type: String(res.headers['content-type'] ?? ''), body: await res.body.text() };
}

test('a sample of the same requests over real sockets, and headers past what the HTTP parser takes', async () => {
  let sent = 0;
  for (const [i, route] of collector.routes.entries()) {
    if (SLOW_BY_DESIGN[`${route.method} ${route.url}`] !== undefined) continue;
    const sample = fc.sample(requestsFor(route, hints(), BODY_LIMIT), {
      numRuns: 4,
      seed: SEED + 100_000 + i,
    });
    for (const r of sample) {
      const { url, headers } = await wire(r);
      watchdog.sending(describeRequest(r));
      const answer = await overSocket(r.method, url, headers, r.body?.payload);
      if (!answer) continue;
      sent++;
      const problem = problemWith(r, answer.status, answer.type, answer.body);
      expect(problem, `${describeRequest(r)}`).toBeUndefined();
    }
  }
  expect(sent).toBeGreaterThan(300);
  // Past the header limit the HTTP parser refuses the request before any route: still a JSON error in OpenAI's shape.
  for (const headers of [{ 'x-fuzz': 'h'.repeat(64 * 1024) }, { authorization: `Bearer ${'k'.repeat(64 * 1024)}` }]) {
    const answer = await overSocket('POST', '/v1/chat/completions', headers, '{}');
    expect(answer?.status).toBe(431);
    expect(errorShapeProblem('openai', 431, answer!.body)).toBeUndefined();
  }
  expect(unhandled).toEqual([]);
}, 60_000);
