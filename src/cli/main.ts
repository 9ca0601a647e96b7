/** The `switchyard` CLI entry point: serve the gateway, check a config file, migrate or import a database. */
import { readFileSync } from 'node:fs';
import { ConfigError, type LoadedConfig, loadConfig } from '../config/loader.ts';
import { type CliArgs, parseArgs, USAGE, UsageError } from './args.ts';
import { importCommand, migrateCommand } from './database.ts';
import { serve } from './serve.ts';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

async function main(argv: string[]): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`switchyard: ${err.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (args.command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (args.command === 'version') {
    process.stdout.write(`switchyard ${version()}\n`);
    return 0;
  }
  let loaded: LoadedConfig;
  try {
    loaded = loadConfig({ file: args.config, env: process.env });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const w of err.warnings) process.stderr.write(`warning: ${w}\n`);
    process.stderr.write(`${err.message}\n`);
    return 1;
  }
  if (args.command === 'check') {
    for (const w of loaded.warnings) process.stdout.write(`warning: ${w}\n`);
    const source = loaded.file ?? '(no config file: defaults)';
    const providers = loaded.config.providers.length;
    process.stdout.write(
      `${source}: OK (${loaded.format} format, ${providers} provider${providers === 1 ? '' : 's'})\n`,
    );
    return 0;
  }
  const io = {
    out: (line: string) => process.stdout.write(`${line}\n`),
    err: (line: string) => process.stderr.write(`${line}\n`),
  };
  if (args.command === 'migrate') return migrateCommand(loaded, process.env, io);
  if (args.command === 'import') {
    return importCommand(loaded, process.env, io, { dsn: args.dsn!, dryRun: args.dryRun === true });
  }
  if (args.port !== undefined) loaded.config.server.port = args.port;
  if (args.host !== undefined) loaded.config.server.host = args.host;
  await serve(loaded);
  return -1; // keeps running until a signal
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`switchyard: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
