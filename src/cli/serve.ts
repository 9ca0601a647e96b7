/** `switchyard serve`: builds the gateway, listens, and shuts down gracefully on SIGTERM/SIGINT. */
import type { LoadedConfig } from '../config/loader.ts';
import { ShuttingDown } from '../core/errors.ts';
import { openGateway } from '../gateway.ts';
import { createLogger } from '../log.ts';
import { buildApp } from '../server/app.ts';

/** How long queued usage logs may take to write when the process must end now. */
const USAGE_FLUSH_LIMIT_MS = 5_000;
/**
 * After the deadline ended the requests still running, how long their error events may take to reach the clients; a
 * client that does not read by then has its connection closed.
 */
const END_GRACE_MS = 2_000;

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
  let deadlineReached = false;
  /** Ends the requests still running with an error in their format (a stream: its error event), then their sockets. */
  const endInFlight = (): void => {
    if (deadlineReached) return;
    deadlineReached = true;
    log.warn({ requests: gw.inFlight.size }, 'shutdown deadline: ending the requests still running with an error');
    for (const cancel of gw.inFlight) cancel.abort(new ShuttingDown());
    setTimeout(() => app.server.closeAllConnections(), END_GRACE_MS).unref();
  };
  const stop = (signal: string): void => {
    if (stopping) {
      // A second signal (Ctrl-C again): do not wait for the deadline, but still end every request cleanly.
      log.info({ signal }, 'second signal: not waiting for requests in flight');
      endInFlight();
      return;
    }
    stopping = true;
    gw.closing = true;
    const deadlineMs = config.server.shutdown_timeout;
    log.info(
      { signal, deadline_ms: deadlineMs },
      'shutting down: no new connections, letting requests in flight finish',
    );
    const deadline = setTimeout(endInFlight, deadlineMs);
    deadline.unref();
    // Something keeping the process up after all that (it should not): it ends anyway.
    const hard = setTimeout(
      () => {
        log.error('shutdown did not complete: exiting');
        log.flush();
        process.exit(1);
      },
      deadlineMs + END_GRACE_MS + USAGE_FLUSH_LIMIT_MS + 1_000,
    );
    hard.unref();
    app
      .close()
      // Every usage log a client was answered for (or cut off at the deadline) is written before the process ends.
      .then(() => gw.close())
      .then(
        () => {
          clearTimeout(deadline);
          log.info('stopped');
        },
        (err: unknown) => {
          log.error({ err }, 'shutdown failed');
          process.exitCode = 1;
        },
      )
      .finally(() => log.flush());
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
