// The result line every bench/<scenario>.mjs prints last on stdout, read by bench/run.mjs:
//
//   {"bench":"http","rows":[{ "scenario": "…", "unit": "MiB/s", "peerName": "nginx",
//     "peer": 1296.4, "pixie": 1155, "ratio": 0.89, "target": "≥ 0.8×", "met": true }, …], …}
//
// `ratio` is pixie / peer (null when a figure is missing); `met` is null when the
// target cannot be judged (a figure is missing). Extra keys are kept in the JSON file.
import { loadavg } from 'node:os';

/** Rounds to `digits` decimals; null for NaN/Infinity/undefined. */
export function round(x, digits = 1) {
  if (typeof x !== 'number' || !Number.isFinite(x)) return null;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** pixie / peer, or null when either is missing or the peer is 0. */
export function ratioOf(pixie, peer) {
  if (typeof pixie !== 'number' || typeof peer !== 'number' || !Number.isFinite(pixie) || !Number.isFinite(peer) || peer === 0) return null;
  return round(pixie / peer, 2);
}

/**
 * A row whose target is a ratio: `op` '>=' when higher is better (throughput),
 * '<=' when lower is better (time).
 */
export function ratioRow({ scenario, unit, peerName, peer, pixie, op, target, digits = 1, ...extra }) {
  const ratio = ratioOf(pixie, peer);
  const met = ratio === null ? null : op === '>=' ? ratio >= target : ratio <= target;
  return { scenario, unit, peerName, peer: round(peer, digits), pixie: round(pixie, digits), ratio, target: `${op === '>=' ? '≥' : '≤'} ${target}×`, met, ...extra };
}

/**
 * A row with a target of its own (an absolute limit, or several conditions); `met` decided
 * by the caller. `showRatio: false` for figures whose ratio means nothing (a loss of 0 %).
 */
export function customRow({ scenario, unit, peerName, peer, pixie, target, met, digits = 1, showRatio = true, ...extra }) {
  return { scenario, unit, peerName, peer: round(peer, digits), pixie: round(pixie, digits), ratio: showRatio ? ratioOf(pixie, peer) : null, target, met: met ?? null, ...extra };
}

/** Prints the result line (the last stdout line of a bench script). */
export function printResult(bench, rows, extra = {}) {
  const line = { bench, rows, load1: round(loadavg()[0], 2), at: new Date().toISOString(), ...extra };
  process.stdout.write(`${JSON.stringify(line)}\n`);
  return line;
}

/**
 * The result line in a script's stdout: the last line that parses as an object
 * with a `rows` array. Undefined when there is none.
 */
export function findResult(stdout) {
  const lines = stdout.split('\n').reverse();
  for (const l of lines) {
    const s = l.trim();
    if (!s.startsWith('{')) continue;
    try {
      const v = JSON.parse(s);
      if (v && Array.isArray(v.rows)) return v;
    } catch {
      // not the result line
    }
  }
  return undefined;
}
