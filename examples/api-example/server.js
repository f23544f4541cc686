#!/usr/bin/env node
// A boot API server in one file: Pixiecore's api-example, for pixie.
//
// It re-implements `pixie boot` (static mode) as an API: whichever machine
// asks, it answers with the kernel, initrds and cmdline given on its command
// line. pixie asks `GET /v1/boot/<mac>` for every machine that wants to
// network-boot; a 200 JSON answer says what to boot, anything else means
// "leave this machine alone".
//
//   node examples/api-example/server.js -port 4242
//   pixie api http://127.0.0.1:4242
//
// Flags (single or double dash, as Go's flag package accepts):
//   -port N        TCP port (default 4242; 0 picks a free one)
//   -listen ADDR   address to listen on (default 0.0.0.0)
//   -kernel URL    kernel URL (default: Tiny Core Linux, as Pixiecore's example)
//   -initrd URL    initrd URL; repeat for several (default: Tiny Core's two)
//   -cmdline TEXT  kernel command line; may contain {{ URL "…" }}
//   -message TEXT  message iPXE prints before booting
//
// URLs may be relative: pixie resolves them against <this server>/v1, so
// "/files/vmlinuz" means http://<this server>/files/vmlinuz.
import { createServer } from 'node:http';

const TINY_CORE = 'http://tinycorelinux.net/16.x/x86/release/distribution_files';

function parseFlags(argv) {
  const flags = { port: '4242', listen: '0.0.0.0', kernel: undefined, initrd: [], cmdline: undefined, message: undefined };
  for (let i = 0; i < argv.length; i++) {
    const m = /^--?([a-z]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m || !(m[1] in flags)) throw new Error(`unknown argument ${argv[i]}`);
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new Error(`-${m[1]} needs a value`);
    if (m[1] === 'initrd') flags.initrd.push(value);
    else flags[m[1]] = value;
  }
  if (flags.kernel === undefined) {
    flags.kernel = `${TINY_CORE}/vmlinuz64`;
    if (flags.initrd.length === 0) flags.initrd = [`${TINY_CORE}/rootfs.gz`, `${TINY_CORE}/modules64.gz`];
  }
  return flags;
}

/** The boot API v1 answer: the same for every machine. */
function bootSpec(flags) {
  const spec = { kernel: flags.kernel, initrd: flags.initrd };
  if (flags.cmdline !== undefined) spec.cmdline = flags.cmdline;
  if (flags.message !== undefined) spec.message = flags.message;
  return spec;
}

let flags;
try {
  flags = parseFlags(process.argv.slice(2));
} catch (err) {
  console.error(`api-example: ${err.message}`);
  process.exit(2);
}
const answer = JSON.stringify(bootSpec(flags));

const server = createServer((req, res) => {
  const m = /^\/v1\/boot\/([0-9a-f]{2}(?::[0-9a-f]{2}){5})$/.exec(req.url ?? '');
  if (req.method !== 'GET' || !m) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    return;
  }
  console.log(`boot request for ${m[1]}: answering with ${flags.kernel}`);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) }).end(answer);
});

server.listen(Number(flags.port), flags.listen, () => {
  const { address, port } = server.address();
  console.log(`api-example listening on http://${address}:${port}`);
});

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
