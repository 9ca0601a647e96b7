/** Redis for tests: the machine's server (TEST_REDIS_URL), each test under its own installation prefix. */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createLogger } from '../src/log.ts';
import { SharedRedis } from '../src/state/redis.ts';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Connections to one shared Redis as `count` instances of one installation; `dispose` removes its keys. */
export async function redisInstances(
  count: number,
): Promise<{ instances: SharedRedis[]; installId: string; dispose(): Promise<void> }> {
  const installId = randomUUID();
  const instances = await Promise.all(
    Array.from({ length: count }, () => SharedRedis.connect(REDIS_URL, installId, createLogger('silent'))),
  );
  return {
    instances,
    installId,
    dispose: async () => {
      await Promise.all(instances.map((i) => i.close()));
      await dropInstallation(installId);
    },
  };
}

/** Deletes every key of an installation. */
export async function dropInstallation(installId: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`sy:{${installId}}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
}
