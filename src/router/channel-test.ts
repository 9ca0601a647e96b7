/** A channel's test: one tiny chat request to its first (or a named) model with its first key, timed. */
import type { ProviderConfig } from '../config/schema.ts';
import { Cancellation } from '../core/cancellation.ts';
import { withoutKeys } from '../core/redact.ts';
import type { Gateway } from '../gateway.ts';
import { buildRoutingTable } from './deployments.ts';
import { callUpstream, upstreamFailure } from './upstream-call.ts';

export interface ChannelTestResult {
  ok: boolean;
  model: string | null;
  latency_ms: number | null;
  status: number | null;
  error: string | null;
}

export async function testChannel(gw: Gateway, provider: ProviderConfig, model?: string): Promise<ChannelTestResult> {
  const table = buildRoutingTable({ ...gw.config, providers: [{ ...provider, enabled: true }] }, gw.upstreams);
  const [first] = table.models.keys();
  const name = model ?? first;
  const deployment = name === undefined ? undefined : table.models.get(name)?.find((d) => d.endpoints.has('chat'));
  if (!deployment || name === undefined) {
    return {
      ok: false,
      model: name ?? null,
      latency_ms: null,
      status: null,
      error: 'The channel serves no such chat model.',
    };
  }
  const call = deployment.provider.descriptor.chat.encode(
    {
      model: name,
      stream: false,
      includeUsage: false,
      maxTokens: 8,
      messages: [{ role: 'user', content: 'Reply with the word ok.' }],
    },
    deployment.target,
  );
  // Whatever upstream said, the channel's own keys do not appear in the answer.
  const scrub = (text: string): string => withoutKeys(text, provider.keys);
  const started = performance.now();
  try {
    const res = await callUpstream(gw.upstreams, deployment, call, new Cancellation());
    const latency = Math.round(performance.now() - started);
    if (res.status >= 400) {
      const failure = await upstreamFailure(res, deployment);
      return { ok: false, model: name, latency_ms: latency, status: res.status, error: scrub(failure.message) };
    }
    deployment.provider.descriptor.chat.decode(await res.body.text(), deployment.target);
    return { ok: true, model: name, latency_ms: latency, status: res.status, error: null };
  } catch (err) {
    return { ok: false, model: name, latency_ms: null, status: null, error: scrub((err as Error).message) };
  }
}
