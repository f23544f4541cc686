/**
 * Run a pixie TFTP server as its own process (used inside network
 * namespaces, where the test process cannot open sockets itself).
 *   node --import tsx serve.ts <listenAddr> <port> <dir> [retransmitMs] [maxBlksize] [maxWindowsize] [maxRetries]
 * Prints one JSON line `{"ready":true,"port":N}`, then one JSON line per
 * tftp:done / tftp:error event; exits on SIGTERM.
 */
import { createEvents } from '../../../../core/events.js';
import { createLogger } from '../../../../core/log.js';
import { createTftpServer } from '../../../../core/tftp/server.js';
import { dirResolver } from './files.js';

const [listenAddr = '127.0.0.1', port = '0', dir = '.', retransmitMs = '1000', maxBlksize = '1468', maxWindowsize = '16', maxRetries = '5'] =
  process.argv.slice(2);
const log = createLogger({ format: 'json', destination: process.stderr });
const events = createEvents(log);
events.on('tftp:done', (e) => void process.stdout.write(`${JSON.stringify({ event: 'done', ...e })}\n`));
events.on('tftp:error', (e) => void process.stdout.write(`${JSON.stringify({ event: 'error', ...e })}\n`));
const server = createTftpServer({
  listenAddr,
  port: Number(port),
  log,
  events,
  resolve: dirResolver(dir),
  retransmitMs: Number(retransmitMs),
  maxBlksize: Number(maxBlksize),
  maxWindowsize: Number(maxWindowsize),
  maxRetries: Number(maxRetries),
});
await server.start();
process.stdout.write(`${JSON.stringify({ ready: true, port: server.address().port })}\n`);
process.on('SIGTERM', () => {
  void server.stop().then(() => process.exit(0));
});
