/** Prometheus metrics of this process (`GET /metrics`), on one registry. */
import { Counter, Gauge, Registry } from 'prom-client';

export const registry = new Registry();

export const metrics = {
  redisErrors: new Counter({
    name: 'switchyard_redis_errors_total',
    help: 'Redis commands that failed; the gateway fell back to per-instance state for them',
    labelNames: ['operation'] as const,
    registers: [registry],
  }),
  redisUp: new Gauge({
    name: 'switchyard_redis_up',
    help: '1 while Redis answers, 0 during an outage (limits per instance, quota reserved in the database)',
    registers: [registry],
  }),
  limitFallbacks: new Counter({
    name: 'switchyard_limit_fallbacks_total',
    help: 'Limit and quota checks made by this instance alone because Redis was away',
    labelNames: ['kind'] as const,
    registers: [registry],
  }),
};
