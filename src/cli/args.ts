/** Parses the command line: `switchyard [serve|check|migrate|import one-api] [--config FILE] [--port N] [--host H] …`. */

export interface CliArgs {
  command: 'serve' | 'check' | 'migrate' | 'import' | 'help' | 'version';
  config?: string;
  port?: number;
  host?: string;
  /** `import`: what to import from (only `one-api`, which covers new-api's layout too). */
  source?: 'one-api';
  /** `import`: the source database. */
  dsn?: string;
  /** `import`: count what would be imported, write nothing. */
  dryRun?: boolean;
}

export const USAGE = `Usage:
  switchyard [serve] [--config FILE] [--port N] [--host H]   start the gateway
  switchyard check [--config FILE]                         validate a config file and list every problem
  switchyard migrate [--config FILE]                       apply database migrations (serve does too)
  switchyard import one-api --dsn DSN [--dry-run]          copy users, tokens, channels, prices and redemption
                                                           codes from a one-api/new-api database
  switchyard --help | --version

Environment: PORT, HOST, SWITCHYARD_CONFIG, SWITCHYARD_DATA_DIR, DATABASE_URL (SQL_DSN), SWITCHYARD_SECRET,
SWITCHYARD_ADMIN_PASSWORD, REDIS_URL, LOG_LEVEL`;

export class UsageError extends Error {}

export function parseArgs(argv: string[]): CliArgs {
  const args: CliArgs = { command: 'serve' };
  let sawCommand = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--config':
      case '-c':
        args.config = value();
        break;
      case '--port':
      case '-p': {
        const port = Number(value());
        if (!Number.isInteger(port) || port < 0 || port > 65535)
          throw new UsageError('--port must be a number from 0 to 65535');
        args.port = port;
        break;
      }
      case '--host':
        args.host = value();
        break;
      case '--dsn':
        args.dsn = value();
        break;
      case '--dry-run':
        args.dryRun = true;
        break;
      case '--help':
      case '-h':
        args.command = 'help';
        break;
      case '--version':
      case '-v':
        args.command = 'version';
        break;
      default:
        if (!sawCommand && (flag === 'serve' || flag === 'check' || flag === 'migrate' || flag === 'import')) {
          args.command = flag;
          sawCommand = true;
        } else if (args.command === 'import' && args.source === undefined && flag === 'one-api') {
          args.source = 'one-api';
        } else throw new UsageError(`unknown argument: ${arg}`);
    }
  }
  if (args.command === 'import' && (args.source === undefined || args.dsn === undefined)) {
    throw new UsageError('import needs a source and its database: switchyard import one-api --dsn DSN');
  }
  return args;
}
