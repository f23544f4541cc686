// Builds native/pixie_net.node (Linux only) with node-gyp; run by `npm install`/`npm ci`.
// Uses the Node headers installed next to the running node when present, so no
// download is needed. A failed build is reported, not fatal: pixie then says
// what is missing when it needs the addon (docs/dhcp.md).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
if (process.platform !== 'linux') {
  console.log('pixie: native addon skipped (Linux only)');
  process.exit(0);
}
const args = ['rebuild', `--directory=${here}`];
const prefix = resolve(dirname(process.execPath), '..');
if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
// npm tells install scripts where its bundled node-gyp is; outside npm, look next to node.
const bundled = join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
const gyp = process.env.npm_config_node_gyp ?? (existsSync(bundled) ? bundled : undefined);
const [cmd, cmdArgs] = gyp ? [process.execPath, [gyp, ...args]] : ['node-gyp', args];
const r = spawnSync(cmd, cmdArgs, { stdio: 'inherit' });
if (r.status !== 0) {
  console.warn('pixie: building native/pixie_net.node failed; multi-homed DHCP and --dhcp-no-bind need it (see docs/dhcp.md)');
}
