/**
 * A pixie with only its HTTP service, for bench/http.mjs: `pixie boot` (the
 * static plugin) with the options given as JSON in argv[2]. Prints "ready"
 * once listening; stops on SIGTERM/SIGINT.
 */
import { createPixie } from '../core/pixie.js';
import { createLogger } from '../core/log.js';

interface ServeArgs {
  port: number;
  dir: string;
  static: Record<string, unknown>;
}

const args = JSON.parse(process.argv[2] ?? '{}') as ServeArgs;
const log = createLogger({ format: 'json' });
log.level = 'warn';
const pixie = createPixie(
  {
    listenAddr: '127.0.0.1',
    port: args.port,
    dhcp: { enabled: false },
    tftp: { enabled: false },
    secret: 'bench-secret-0123456789',
    cacheDir: args.dir,
    plugins: [['static', args.static]],
  },
  { log, baseDir: args.dir },
);
await pixie.start();
process.stdout.write('ready\n');
const stop = () => void pixie.stop().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
