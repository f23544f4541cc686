#!/usr/bin/env node
// Makes sure the Debian packages pixie's tests, demo and benchmarks need are
// installed: checks each with dpkg-query, installs the missing ones with
// apt-get when run as root, and otherwise fails naming the command to run.
// The list lives in .ci/apt-packages.txt (one place for CI, tests and demo).
//
//   node scripts/ensure-deps.mjs            # everything in the list
//   node scripts/ensure-deps.mjs pkg1 pkg2  # just these
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The packages listed in .ci/apt-packages.txt. */
export function listedPackages() {
  return readFileSync(path.join(root, '.ci', 'apt-packages.txt'), 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean);
}

function installed(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

/** Install what is missing; returns true when everything is there. */
export function ensureDeps(packages = listedPackages(), log = (s) => console.error(s)) {
  if (process.platform !== 'linux' || !existsSync('/usr/bin/dpkg-query')) {
    log('pixie: the tests and the demo need a Debian (or Debian-based) Linux machine: they use network namespaces, QEMU and Debian packages.');
    return false;
  }
  const missing = packages.filter((p) => !installed(p));
  if (missing.length === 0) return true;
  const cmd = `apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (process.getuid?.() !== 0) {
    log(`pixie: missing Debian packages: ${missing.join(' ')}.\nInstall them as root: ${cmd}`);
    return false;
  }
  log(`==> installing missing Debian packages: ${missing.join(' ')}`);
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync('debconf-set-selections', { input: 'wireshark-common wireshark-common/install-setuid boolean false\n', env });
    execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'], env });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: ['ignore', 'ignore', 'inherit'], env });
    return true;
  } catch {
    log(`pixie: could not install ${missing.join(' ')}. Install them yourself: ${cmd}`);
    return false;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  process.exitCode = ensureDeps(args.length ? args : undefined) ? 0 : 1;
}
