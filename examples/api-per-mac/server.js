#!/usr/bin/env node
// A boot API that gives each machine its own kernel, from a JSON file.
//
//   node examples/api-per-mac/server.js -port 4242 -machines machines.json -files ./files
//   pixie api http://127.0.0.1:4242
//
// machines.json names boot profiles and assigns one to each MAC address:
//
//   { "profiles": { "installer": { "kernel": "…", "initrd": ["…"], "cmdline": "…" } },
//     "machines": { "52:54:00:12:34:56": "installer" },
//     "default": null }
//
// A machine that is not listed gets the "default" profile, or — when it is
// null — a 404, which tells pixie to leave the machine alone. The file is
// read again on every request, so edits apply at the next boot.
//
// With -files DIR, files in DIR are served under /files/, so a profile can
// say "kernel": "/files/vmlinuz" (pixie resolves relative URLs against
// <this server>/v1, and "/files/…" is at the root of this server).
import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';

function parseFlags(argv) {
  const flags = { port: '4242', listen: '0.0.0.0', machines: 'machines.json', files: undefined };
  for (let i = 0; i < argv.length; i++) {
    const m = /^--?([a-z]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m || !(m[1] in flags)) throw new Error(`unknown argument ${argv[i]}`);
    flags[m[1]] = m[2] ?? argv[++i];
    if (flags[m[1]] === undefined) throw new Error(`-${m[1]} needs a value`);
  }
  return flags;
}

/** "52-54-00-AB-CD-EF" and friends → "52:54:00:ab:cd:ef". */
function normalizeMac(mac) {
  const hex = mac.toLowerCase().replace(/[^0-9a-f]/g, '');
  return hex.length === 12 ? hex.match(/../g).join(':') : undefined;
}

/** The profile for one MAC, or null when the machine should not boot. */
async function profileFor(mac, file) {
  const config = JSON.parse(await readFile(file, 'utf8'));
  const assigned = Object.entries(config.machines ?? {}).find(([m]) => normalizeMac(m) === mac)?.[1];
  const name = assigned ?? config.default ?? null;
  if (name === null) return null;
  const profile = config.profiles?.[name];
  if (!profile) throw new Error(`profile "${name}" is not defined in ${file}`);
  return profile;
}

async function sendFile(res, dir, name) {
  const path = join(dir, basename(name));
  const st = await stat(path).catch(() => undefined);
  if (!st?.isFile()) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': st.size });
  createReadStream(path).pipe(res);
}

let flags;
try {
  flags = parseFlags(process.argv.slice(2));
} catch (err) {
  console.error(`api-per-mac: ${err.message}`);
  process.exit(2);
}
const machinesFile = resolve(flags.machines);

const server = createServer(async (req, res) => {
  const url = req.url ?? '';
  try {
    if (flags.files && url.startsWith('/files/')) return await sendFile(res, flags.files, decodeURIComponent(url.slice(7)));
    const m = /^\/v1\/boot\/([^/?]+)$/.exec(url);
    const mac = m ? normalizeMac(m[1]) : undefined;
    if (req.method !== 'GET' || !mac) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    const profile = await profileFor(mac, machinesFile);
    console.log(`boot request for ${mac}: ${profile ? `kernel ${profile.kernel}` : 'not listed, not booting it'}`);
    if (!profile) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('unknown machine\n');
      return;
    }
    const body = JSON.stringify(profile);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
  } catch (err) {
    // A broken machines.json must not take the server down: answer 500, and pixie ignores the machine.
    console.error(`api-per-mac: ${err.message}`);
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end('server error\n');
  }
});

server.listen(Number(flags.port), flags.listen, () => {
  const { address, port } = server.address();
  console.log(`api-per-mac listening on http://${address}:${port} (machines from ${machinesFile})`);
});

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
