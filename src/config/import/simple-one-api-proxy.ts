/** simple-one-api's proxy block and `use_proxy` flags as Switchyard's global `proxy` and per-provider `proxy`. */
import { z } from 'zod';
import type { ImportReport, ProxyPlan } from './simple-one-api-services.ts';

// pkg/config/config.go `ProxyConf`.
export const proxySchema = z.looseObject({
  strategy: z.string().nullish(),
  type: z.string().nullish(),
  http_proxy: z.string().nullish(),
  https_proxy: z.string().nullish(),
  socks5_proxy: z.string().nullish(),
  timeout: z.number().nullish(),
});
type ProxyConf = z.infer<typeof proxySchema>;

const STRATEGIES = ['disabled', 'default', 'all', 'force_all'];

export interface ImportedProxy extends ProxyPlan {
  /** The global proxy: what every provider uses unless it says otherwise. */
  global: string | undefined;
}

const NO_PROXY: ImportedProxy = { global: undefined, forProvider: () => undefined };

/**
 * IsProxyEnabled (pkg/config/config.go): `force_all` proxies every service, `all` every service but those with
 * `use_proxy: false`, `default` only those with `use_proxy: true`, and `disabled` (also the default) none.
 */
export function importProxy(proxy: ProxyConf | null | undefined, report: ImportReport): ImportedProxy {
  if (!proxy) return NO_PROXY;
  const http = proxy.http_proxy?.trim() || undefined;
  const https = proxy.https_proxy?.trim() || undefined;
  // Before v0.9.1 the block had only http_proxy/https_proxy, exported as HTTP_PROXY/HTTPS_PROXY for every service.
  const legacy = proxy.strategy == null && proxy.type == null && (http !== undefined || https !== undefined);
  const strategy = legacy ? 'all' : proxy.strategy?.trim().toLowerCase() || 'disabled';
  if (!STRATEGIES.includes(strategy)) {
    report.problems.push({ path: 'proxy.strategy', message: `supported values: ${STRATEGIES.join(', ')}` });
    return NO_PROXY;
  }
  if (legacy) {
    report.warnings.push(
      'proxy: the pre-v0.9.1 form (no strategy), imported as it worked then: every service uses https_proxy for https:// upstreams and http_proxy for http://',
    );
  }
  if (strategy === 'disabled') {
    if (http || https || proxy.socks5_proxy) {
      report.warnings.push('proxy: strategy is "disabled" (the default), so no service uses the proxy given');
    }
    return NO_PROXY;
  }
  const urlFor = proxyAddress(proxy, legacy, report);
  if (!urlFor) return NO_PROXY;
  const global = strategy === 'default' ? undefined : urlFor(undefined);
  return {
    global,
    forProvider(useProxy, baseUrl) {
      if (strategy === 'default') return useProxy === true ? urlFor(baseUrl) : undefined;
      if (strategy === 'all' && useProxy === false) return false;
      const url = urlFor(baseUrl);
      return url === global ? undefined : url;
    },
  };
}

/** The proxy URL for an upstream base URL, or undefined when the block names no usable address (a problem). */
function proxyAddress(
  proxy: ProxyConf,
  legacy: boolean,
  report: ImportReport,
): ((baseUrl: string | undefined) => string | undefined) | undefined {
  const type = legacy ? 'http' : proxy.type?.trim().toLowerCase();
  if (type === 'socks5') {
    const address = proxy.socks5_proxy?.trim();
    if (!address) {
      report.problems.push({ path: 'proxy.socks5_proxy', message: 'a SOCKS5 proxy address is required' });
      return undefined;
    }
    const url = /^socks5h?:\/\//i.test(address) ? address : `socks5://${address}`;
    return () => url;
  }
  if (type !== 'http') {
    report.problems.push({ path: 'proxy.type', message: 'supported values: http, socks5' });
    return undefined;
  }
  const http = proxy.http_proxy?.trim() || undefined;
  const https = proxy.https_proxy?.trim() || undefined;
  if (!http && !https) {
    report.problems.push({ path: 'proxy.http_proxy', message: 'an HTTP or HTTPS proxy URL is required' });
    return undefined;
  }
  // Upstreams are https unless their base URL says otherwise. Go's HTTPS_PROXY (the legacy form) has no fallback to
  // HTTP_PROXY; the later transport falls back either way.
  return (baseUrl) => {
    const secure = !baseUrl?.toLowerCase().startsWith('http:');
    if (legacy) return secure ? https : http;
    return secure ? (https ?? http) : (http ?? https);
  };
}
