/**
 * Fetches images that clients give by URL for providers that take only the bytes (Ollama, Bedrock, Gemini for a URL
 * without a known image extension), so that the request carries them as data: URLs. The one place the gateway makes a
 * request to an address a client chose: private, loopback and link-local addresses are refused (after DNS, on every
 * redirect) unless `image_fetch.allow_private`, and size and time are bounded.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { Agent, request, errors as undiciErrors } from 'undici';
import type { Config } from '../config/schema.ts';
import type { Cancellation } from '../core/cancellation.ts';
import { InvalidRequest, requestCancelled, unparsableImageUrl } from '../core/errors.ts';
import type { ChatRequest, ContentPart, Message } from '../core/types.ts';
import type { ProviderDescriptor } from '../providers/types.ts';

export type ImageFetchConfig = Config['image_fetch'];

const MAX_REDIRECTS = 5;
const HTTP_URL = /^https?:\/\//i;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** IPv4 written inside an IPv6 address (`::ffff:7f00:1`, as the URL parser writes `::ffff:127.0.0.1`). */
const MAPPED_V4 = /^::ffff:(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i;

/** Addresses that are not the public internet: loopback, private, link-local, shared, reserved, multicast. */
const NOT_PUBLIC = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 3],
] as const) {
  NOT_PUBLIC.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 127],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['2001:db8::', 32],
] as const) {
  NOT_PUBLIC.addSubnet(net, prefix, 'ipv6');
}

/** Whether an IP address (v4 or v6, as DNS or a URL gives it) is outside the public internet. */
export function isPrivateAddress(address: string): boolean {
  const ip = address.startsWith('[') ? address.slice(1, -1) : address;
  const family = isIP(ip);
  if (family === 4) return NOT_PUBLIC.check(ip, 'ipv4');
  if (family !== 6) return false;
  const mapped = MAPPED_V4.exec(ip);
  if (mapped) {
    const v4 = mapped[1] ?? hexPairToV4(mapped[2]!, mapped[3]!);
    return NOT_PUBLIC.check(v4, 'ipv4');
  }
  return NOT_PUBLIC.check(ip, 'ipv6');
}

function hexPairToV4(high: string, low: string): string {
  const h = Number.parseInt(high, 16);
  const l = Number.parseInt(low, 16);
  return `${h >> 8}.${h & 255}.${l >> 8}.${l & 255}`;
}

/** Why an image could not be fetched, as the client is told (the URL shortened, never the gateway's internals). */
class ImageRefused extends Error {}

/** DNS that refuses a name when any of its addresses is private, so the connection cannot reach one. */
const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true } as LookupAllOptions, (err, addresses: LookupAddress[]) => {
    if (err) return callback(err, '', 0);
    const refused = addresses.find((a) => isPrivateAddress(a.address));
    if (refused) return callback(new ImageRefused(`${hostname} resolves to a private address`), '', 0);
    if ((options as { all?: boolean }).all) return (callback as (e: null, a: LookupAddress[]) => void)(null, addresses);
    const first = addresses[0]!;
    callback(null, first.address, first.family);
  });
};

/** The first bytes of the image formats providers take, for answers without an image content type. */
const SIGNATURES: [string, (b: Buffer) => boolean][] = [
  ['image/png', (b) => b.readUInt32BE(0) === 0x89504e47],
  ['image/jpeg', (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff],
  ['image/gif', (b) => b.toString('latin1', 0, 4) === 'GIF8'],
  ['image/webp', (b) => b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP'],
];

function sniff(bytes: Buffer): string | undefined {
  if (bytes.length < 12) return undefined;
  return SIGNATURES.find(([, matches]) => matches(bytes))?.[0];
}

function shown(url: string): string {
  return url.length > 100 ? `${url.slice(0, 100)}…` : url;
}

/** Image URLs in a chat request that `descriptor` cannot take as URLs. */
function urlsNeedingBytes(messages: Message[], descriptor: ProviderDescriptor): string[] {
  const urls: string[] = [];
  for (const m of messages) {
    if (typeof m.content === 'string') continue;
    for (const part of m.content) {
      if (part.type !== 'image' || !HTTP_URL.test(part.url)) continue;
      if (!URL.canParse(part.url)) {
        throw unparsableImageUrl();
      }
      if (descriptor.imageBytes!(part.url)) urls.push(part.url);
    }
  }
  return urls;
}

/** Fetches images by URL for providers that need their bytes; one fetch per URL per request, however many attempts. */
export class ImageFetcher {
  private readonly config: ImageFetchConfig;
  private readonly agent: Agent;
  /** Per client request (its canonical form): each URL's data: URL, or the refusal, shared by failover attempts. */
  private readonly fetched = new WeakMap<object, Map<string, Promise<string>>>();

  constructor(config: ImageFetchConfig) {
    this.config = config;
    this.agent = new Agent({
      connect: { timeout: config.timeout, ...(config.allow_private ? {} : { lookup: publicOnlyLookup }) },
      headersTimeout: config.timeout,
      bodyTimeout: config.timeout,
      connections: 32,
    });
  }

  /**
   * `prepared` as `descriptor`'s provider can take it: images it cannot take by URL fetched and given as data: URLs.
   * Synchronous answer (no await) when there is nothing to fetch, which is nearly always. `request` keys the cache.
   */
  forProvider<R extends object>(
    prepared: R,
    descriptor: ProviderDescriptor,
    request: object,
    cancel: Cancellation,
  ): R | Promise<R> {
    if (!descriptor.imageBytes || !('messages' in prepared)) return prepared;
    const messages = (prepared as unknown as ChatRequest).messages;
    const urls = urlsNeedingBytes(messages, descriptor);
    if (!urls.length) return prepared;
    if (!this.config.enabled) {
      throw new InvalidRequest(
        `An image given by URL (${shown(urls[0]!)}) cannot be passed to this model's provider, which takes image bytes, and fetching image URLs is turned off (image_fetch.enabled): send it as a data: URL.`,
        { param: 'messages', code: 'invalid_image_url' },
      );
    }
    const cache = this.fetched.get(request) ?? new Map<string, Promise<string>>();
    this.fetched.set(request, cache);
    const pending = urls.map((url) => {
      const dataUrl = cache.get(url) ?? this.fetch(url, cancel);
      cache.set(url, dataUrl);
      return dataUrl;
    });
    return Promise.all(pending).then((dataUrls) => {
      const byUrl = new Map(urls.map((url, i) => [url, dataUrls[i]!]));
      const inline = (part: ContentPart): ContentPart =>
        part.type === 'image' && byUrl.has(part.url) ? { ...part, url: byUrl.get(part.url)! } : part;
      return {
        ...prepared,
        messages: messages.map((m) => (typeof m.content === 'string' ? m : { ...m, content: m.content.map(inline) })),
      };
    });
  }

  /** One image as a data: URL; a refusal is an InvalidRequest naming the URL (OpenAI's `invalid_image_url`). */
  private async fetch(url: string, cancel: Cancellation): Promise<string> {
    const abort = new AbortController();
    const timer = setTimeout(
      () => abort.abort(new ImageRefused(`no answer within ${this.config.timeout} ms`)),
      this.config.timeout,
    );
    const unsubscribe = cancel.onAbort(() => abort.abort(requestCancelled()));
    try {
      return await this.download(url, abort.signal);
    } catch (err) {
      if (cancel.aborted) throw cancel.reason ?? requestCancelled();
      const reason = abort.signal.aborted ? abort.signal.reason : err;
      throw new InvalidRequest(`The image at ${shown(url)} could not be fetched: ${describe(reason)}.`, {
        param: 'messages',
        code: 'invalid_image_url',
      });
    } finally {
      clearTimeout(timer);
      unsubscribe();
    }
  }

  private async download(first: string, signal: AbortSignal): Promise<string> {
    let url = first;
    for (let redirects = 0; ; redirects++) {
      const target = new URL(url);
      if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new ImageRefused('not an http(s) URL');
      if (!this.config.allow_private && isPrivateAddress(target.hostname)) {
        throw new ImageRefused('it is on a private address');
      }
      const res = await request(target, {
        dispatcher: this.agent,
        signal,
        headers: { accept: 'image/*', 'user-agent': 'Switchyard' },
      });
      if (REDIRECT_STATUSES.has(res.statusCode) && res.headers.location) {
        await res.body.dump();
        if (redirects === MAX_REDIRECTS) throw new ImageRefused(`more than ${MAX_REDIRECTS} redirects`);
        url = new URL(String(res.headers.location), target).href;
        continue;
      }
      if (res.statusCode !== 200) {
        await res.body.dump();
        throw new ImageRefused(`the server answered ${res.statusCode}`);
      }
      const declared = Number(res.headers['content-length']);
      if (declared > this.config.max_size) {
        res.body.destroy();
        throw new ImageRefused(`it is larger than ${this.config.max_size} bytes (image_fetch.max_size)`);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > this.config.max_size) {
          res.body.destroy();
          throw new ImageRefused(`it is larger than ${this.config.max_size} bytes (image_fetch.max_size)`);
        }
        chunks.push(chunk);
      }
      const bytes = Buffer.concat(chunks, size);
      const type = String(res.headers['content-type'] ?? '')
        .split(';')[0]!
        .trim()
        .toLowerCase();
      const mediaType = type.startsWith('image/') ? type : sniff(bytes);
      if (!mediaType) throw new ImageRefused(`it is not an image (${type || 'no content type'})`);
      return `data:${mediaType};base64,${bytes.toString('base64')}`;
    }
  }

  close(): Promise<void> {
    return this.agent.destroy();
  }
}

/** A fetch failure as the client may read it: ours verbatim, the network's by its kind. */
function describe(err: unknown): string {
  if (err instanceof ImageRefused) return err.message;
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof ImageRefused) return cause.message;
  if (err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError) {
    return 'the server did not answer in time';
  }
  if (err instanceof undiciErrors.ConnectTimeoutError) return 'the connection timed out';
  const code = (err as { code?: string }).code ?? (cause as { code?: string } | undefined)?.code;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the host name does not resolve';
  if (code === 'ECONNREFUSED') return 'the connection was refused';
  return 'the connection failed';
}
