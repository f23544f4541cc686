// Flags from PIXIE_* environment variables (in its own file: it changes
// process.env, which commander reads, so no other CLI test may run beside it).
import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

function offlineDir(extra: Record<string, unknown> = {}): string {
  const d = mkdtempSync(join(tmpdir(), 'pixie-env-'));
  writeFileSync(join(d, 'pixie.config.json'), JSON.stringify({ dhcp: { enabled: false }, tftp: { enabled: false }, http: { enabled: false }, ...extra }));
  writeFileSync(join(d, 'vmlinuz'), 'k');
  return d;
}

type Seen = { port: number; listenAddr: string; debug: boolean; dhcpNoBind: boolean };
const grab = (out: Seen[]) => (p: { config: Seen }) =>
  void out.push({ port: p.config.port, listenAddr: p.config.listenAddr, debug: p.config.debug, dhcpNoBind: p.config.dhcpNoBind });

test.serial('PIXIE_* variables set flags; the command line wins over them, they win over the config file', async (t) => {
  const saved = { ...process.env };
  t.teardown(() => {
    for (const k of Object.keys(process.env)) if (k.startsWith('PIXIE_') && !(k in saved)) delete process.env[k];
  });
  process.env.PIXIE_PORT = '8090';
  process.env.PIXIE_LISTEN_ADDR = '127.0.0.1';
  process.env.PIXIE_DEBUG = '1';
  process.env.PIXIE_DHCP_NO_BIND = 'false';
  const seen: Seen[] = [];
  const d = offlineDir({ port: 8000 });
  t.is((await runCli(['boot', './vmlinuz'], { cwd: d, onStarted: grab(seen) })).code, 0);
  t.is((await runCli(['boot', './vmlinuz', '--port', '8091'], { cwd: d, onStarted: grab(seen) })).code, 0);
  t.is((await runCli([], { cwd: d, onStarted: grab(seen) })).code, 0);
  t.deepEqual(seen, [
    { port: 8090, listenAddr: '127.0.0.1', debug: true, dhcpNoBind: false },
    { port: 8091, listenAddr: '127.0.0.1', debug: true, dhcpNoBind: false },
    { port: 8090, listenAddr: '127.0.0.1', debug: true, dhcpNoBind: false },
  ]);
  process.env.PIXIE_PORT = 'eighty';
  const bad = await runCli(['boot', './vmlinuz'], { cwd: d });
  t.is(bad.code, 2);
  t.regex(bad.stderr, /--port must be a whole number/);
});
