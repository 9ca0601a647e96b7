/** Addresses OpenAI-format bodies to Azure OpenAI: deployment URLs with an api-version, or the v1 API; `api-key` auth. */
import type { ChatRequest, CompletionRequest, EmbeddingRequest } from '../../core/types.ts';
import {
  encodeCompletion as openaiCompletion,
  encodeEmbedding as openaiEmbedding,
  withRouting,
} from '../openai/request.ts';
import { encodeChat as openaiChat } from '../openai/thinking.ts';
import type { Endpoint, Target, UpstreamCall } from '../types.ts';

/** The newest GA data-plane inference version; the first GA one to accept `stream_options`, which metering needs. */
export const DEFAULT_API_VERSION = '2024-10-21';

const PATHS: Record<Endpoint, string> = {
  chat: '/chat/completions',
  completions: '/completions',
  embeddings: '/embeddings',
};

const V1_PATH = /\/openai\/v1$/;
const DEPLOYMENT_PATH = /^(.*)\/openai\/deployments\/([^/]+)(?:\/chat\/completions|\/completions|\/embeddings)?$/;
const OPENAI_SUFFIX = /\/openai$/;

/** Where a configured base_url points. */
export interface AzureEndpoint {
  /** The v1 API (`…/openai/v1`): OpenAI paths, the deployment named by the body's `model`, no api-version needed. */
  v1: boolean;
  /** Origin and path before `/openai/…` (v1: up to and including `/openai/v1`). */
  root: string;
  /** Set when base_url already names a deployment; it wins over the routed model name. */
  deployment?: string;
  /** An api-version found in base_url's query string. */
  apiVersion?: string;
}

/** Reads a base_url: a resource endpoint, a full deployment URL (optionally with its operation and query), or a v1 URL. */
export function parseAzureBase(baseUrl: string): AzureEndpoint {
  const url = new URL(baseUrl);
  const path = url.pathname.replace(/\/+$/, '');
  const queryVersion = url.searchParams.get('api-version');
  const endpoint: AzureEndpoint = { v1: false, root: url.origin };
  if (queryVersion) endpoint.apiVersion = queryVersion;
  if (V1_PATH.test(path)) {
    endpoint.v1 = true;
    endpoint.root = url.origin + path;
    return endpoint;
  }
  const deployment = DEPLOYMENT_PATH.exec(path);
  if (deployment) {
    endpoint.root = url.origin + deployment[1];
    endpoint.deployment = decodeURIComponent(deployment[2] ?? '');
    return endpoint;
  }
  endpoint.root = url.origin + path.replace(OPENAI_SUFFIX, '');
  return endpoint;
}

// Base URLs are few and fixed per channel: parse each once, not per request.
const parsed = new Map<string, AzureEndpoint>();

function endpointOf(baseUrl: string): AzureEndpoint {
  let endpoint = parsed.get(baseUrl);
  if (!endpoint) {
    if (parsed.size >= 1000) parsed.clear();
    endpoint = parseAzureBase(baseUrl);
    parsed.set(baseUrl, endpoint);
  }
  return endpoint;
}

export function azureUrl(target: Target, endpoint: Endpoint): string {
  const base = endpointOf(target.baseUrl);
  const configured = target.provider.api_version;
  if (base.v1) {
    // v1 needs no version; one set explicitly (e.g. `preview`) is still passed on.
    const version = configured ?? base.apiVersion;
    return base.root + PATHS[endpoint] + (version ? `?api-version=${encodeURIComponent(version)}` : '');
  }
  const deployment = encodeURIComponent(base.deployment ?? target.upstreamModel);
  const version = encodeURIComponent(configured ?? base.apiVersion ?? DEFAULT_API_VERSION);
  return `${base.root}/openai/deployments/${deployment}${PATHS[endpoint]}?api-version=${version}`;
}

export function azureHeaders(target: Target): Record<string, string> {
  const h: Record<string, string> = { 'content-type': 'application/json', ...target.provider.headers };
  if (target.key !== undefined) h['api-key'] = target.key;
  return h;
}

/**
 * The OpenAI provider's body, re-addressed. Its `model` field stays: the deployment API ignores it (the official SDKs
 * send it too) and the v1 API reads the deployment name from it.
 */
function readdress(call: UpstreamCall, endpoint: Endpoint, target: Target): UpstreamCall {
  const out: UpstreamCall = { url: azureUrl(target, endpoint), headers: azureHeaders(target) };
  if (call.body !== undefined) out.body = call.body;
  return out;
}

export function encodeChat(req: ChatRequest, target: Target): UpstreamCall {
  return readdress(openaiChat(req, target), 'chat', target);
}

export function encodeCompletion(req: CompletionRequest, target: Target): UpstreamCall {
  return readdress(openaiCompletion(req, target), 'completions', target);
}

export function encodeEmbedding(req: EmbeddingRequest, target: Target): UpstreamCall {
  return readdress(openaiEmbedding(req, target), 'embeddings', target);
}

export function buildPassthrough(endpoint: Endpoint, body: Record<string, unknown>, target: Target): UpstreamCall {
  return {
    url: azureUrl(target, endpoint),
    headers: azureHeaders(target),
    body: JSON.stringify(withRouting(body, target)),
  };
}
