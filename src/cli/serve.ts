/** `switchyard serve`: builds the gateway, listens, and shuts down gracefully on SIGTERM/SIGINT. */
import type { LoadedConfig } from '../config/loader.ts';
import { openGateway } from '../gateway.ts';
import { createLogger } from '../log.ts';
import { buildApp } from '../server/app.ts';

/** How long in-flight streams may run on after a shutdown signal before the process exits anyway. */
const SHUTDOWN_GRACE_MS = 30_000;
/** How long queued usage logs may take to write when the process must end now. */
const USAGE_FLUSH_LIMIT_MS = 5_000;

export async function serve(loaded: LoadedConfig): Promise<void> {
  const { config } = loaded;
  const log = createLogger(config.log_level);
  for (const warning of loaded.warnings) log.warn(warning);
  const gw = await openGateway(config, log, { env: process.env, dataDir: process.env.SWITCHYARD_DATA_DIR ?? './data' });
  const app = buildApp(gw);

  if (gw.keys.open) {
    log.warn(
      "no client keys (auth.keys), API tokens or channels yet: anyone who can reach this gateway can use the config file's providers",
    );
  }

  const address = await app.listen({ port: config.server.port, host: config.server.host });
  const models = gw.router.modelNames().length;
  log.info({ address, config: loaded.file, format: loaded.format, models }, `switchyard listening on ${address}`);
  log.flush();

  /** Writes the usage logs still queued (for at most a few seconds), then exits. */
  const exitAfterUsage = (code: number): void => {
    const hard = setTimeout(() => process.exit(code), USAGE_FLUSH_LIMIT_MS);
    hard.unref();
    gw.usage.close().finally(() => {
      log.flush();
      process.exit(code);
    });
  };
  process.once('uncaughtException', (err) => {
    log.fatal({ err }, 'unexpected error: writing queued usage logs, then exiting');
    exitAfterUsage(1);
  });

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    gw.closing = true;
    log.info({ signal }, 'shutting down: no new connections, letting requests in flight finish');
    const force = setTimeout(() => {
      log.warn('shutdown grace period over: closing remaining connections');
      exitAfterUsage(1);
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    app
      .close()
      // Every usage log a client was answered for is written before the process ends.
      .then(() => gw.close())
      .finally(() => {
        log.info('stopped');
        log.flush();
        clearTimeout(force);
      });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
