/** The deployment files: they parse, name the services and probes they must, and ship configs the gateway accepts. */
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { parseConfig } from '../src/config/loader.ts';

const read = (path: string): string => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');

test('the image runs Node 24 as a non-root user, with a health check on /healthz', () => {
  const dockerfile = read('Dockerfile');
  expect(dockerfile).toMatch(/^FROM node:24-slim$/m);
  expect(dockerfile).toMatch(/^USER node$/m);
  expect(dockerfile).toMatch(/^HEALTHCHECK .*\n.*\/healthz/m);
  expect(dockerfile).toMatch(/npm ci --omit=dev/);
});

test('compose runs two gateways on PostgreSQL and Redis behind a load balancer that reaches both', () => {
  const compose = parseYaml(read('deploy/docker-compose.yml'), { merge: true }) as {
    services: Record<string, { environment?: Record<string, string>; image?: string }>;
  };
  const gateways = Object.entries(compose.services).filter(([, s]) => s.environment?.REDIS_URL);
  expect(gateways.map(([name]) => name)).toEqual(['gateway-a', 'gateway-b']);
  for (const [, g] of gateways) expect(g.environment!.DATABASE_URL).toMatch(/^postgres:\/\/.*@postgres:5432\//);
  expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['lb', 'postgres', 'redis']));
  const nginx = read('deploy/nginx.conf');
  for (const [name] of gateways) expect(nginx).toContain(`server ${name}:3000`);
  expect(nginx).toContain('proxy_buffering off');
});

test('the Kubernetes deployment is ready on /readyz and alive on /healthz, with a config the gateway accepts', () => {
  const docs = parseAllDocuments(read('deploy/kubernetes/switchyard.yaml')).map((d) => d.toJS());
  const deployment = docs.find((d) => d.kind === 'Deployment');
  const container = deployment.spec.template.spec.containers[0];
  expect(container.readinessProbe.httpGet.path).toBe('/readyz');
  expect(container.livenessProbe.httpGet.path).toBe('/healthz');
  expect(deployment.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
  const configMap = docs.find((d) => d.kind === 'ConfigMap');
  for (const text of [configMap.data['switchyard.yaml'], read('deploy/switchyard.yaml')]) {
    const { config } = parseConfig(text, 'switchyard.yaml', {}); // throws, listing them, on any problem
    expect(config.server.trust_proxy).toBe(true);
  }
});
