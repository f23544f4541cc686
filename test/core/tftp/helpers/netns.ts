/**
 * A namespace lab for TFTP tests: a server namespace and a client namespace
 * joined by a veth pair, named after the test process (pxt-tftp-<pid>) so
 * parallel helpers never collide. Removed again by `destroy()`.
 *
 * With `impair`, the two are instead joined through a third namespace where
 * `impair.py` bridges the link and drops, duplicates and reorders UDP frames
 * like netem (this kernel has no sch_netem).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { sh } from './tools.js';

export interface Lab {
  server: string;
  client: string;
  serverIf: string;
  clientIf: string;
  /** Impairment counters printed by impair.py when it stopped (after destroy()). */
  impairStats?: string;
  destroy(): Promise<void>;
}

export interface Impairment {
  lossPct: number;
  duplicatePct: number;
  reorderPct: number;
  correlationPct: number;
  delayMs: number;
}

/** Create the namespaces; `tag` keeps several labs of one process apart. */
export async function createLab(tag: string, serverAddrs: string[], clientAddr: string, impair?: Impairment): Promise<Lab> {
  const id = `${process.pid}${tag}`;
  const middle = `pxt-tftp-${id}-m`;
  let bridge: ChildProcess | undefined;
  const lab: Lab = {
    server: `pxt-tftp-${id}-s`,
    client: `pxt-tftp-${id}-c`,
    serverIf: `pxts${id}`.slice(0, 15),
    clientIf: `pxtc${id}`.slice(0, 15),
    async destroy() {
      if (bridge && bridge.exitCode === null) {
        const out: Buffer[] = [];
        bridge.stdout?.on('data', (d: Buffer) => out.push(d));
        await new Promise<void>((done) => {
          bridge!.once('exit', () => done());
          bridge!.kill('SIGTERM');
          setTimeout(() => bridge!.kill('SIGKILL'), 2000).unref();
        });
        lab.impairStats = Buffer.concat(out).toString().trim();
      }
      sh(`for n in ${lab.server} ${lab.client} ${middle}; do ip netns del $n 2>/dev/null; done; true`);
    },
  };
  await lab.destroy();
  try {
    sh(`ip netns add ${lab.server} && ip netns add ${lab.client}`);
    if (impair) {
      const [ms, mc] = [`pxms${id}`.slice(0, 15), `pxmc${id}`.slice(0, 15)];
      sh(`ip netns add ${middle}`);
      sh(`ip link add ${lab.serverIf} netns ${lab.server} type veth peer name ${ms} netns ${middle}`);
      sh(`ip link add ${lab.clientIf} netns ${lab.client} type veth peer name ${mc} netns ${middle}`);
      sh(`ip -n ${middle} link set ${ms} promisc on up && ip -n ${middle} link set ${mc} promisc on up`);
      const script = new URL('./impair.py', import.meta.url).pathname;
      const args = ['--loss', impair.lossPct, '--duplicate', impair.duplicatePct, '--reorder', impair.reorderPct, '--correlation', impair.correlationPct, '--delay-ms', impair.delayMs].map(String);
      bridge = spawn('ip', ['netns', 'exec', middle, 'python3', script, ms, mc, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('impair.py did not start')), 10_000);
        bridge!.once('exit', (code) => reject(new Error(`impair.py exited (${code})`)));
        bridge!.stdout!.once('data', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    } else {
      sh(`ip link add ${lab.serverIf} netns ${lab.server} type veth peer name ${lab.clientIf} netns ${lab.client}`);
    }
    for (const a of serverAddrs) sh(`ip -n ${lab.server} addr add ${a}/24 dev ${lab.serverIf}`);
    sh(`ip -n ${lab.client} addr add ${clientAddr}/24 dev ${lab.clientIf}`);
    for (const [ns, dev] of [[lab.server, lab.serverIf], [lab.client, lab.clientIf]] as const) {
      sh(`ip -n ${ns} link set lo up && ip -n ${ns} link set ${dev} up`);
    }
  } catch (err) {
    await lab.destroy();
    throw err;
  }
  return lab;
}

export interface ServerProcess {
  child: ChildProcess;
  port: number;
  /** tftp:done / tftp:error events printed by the server process. */
  events: Array<{ event: string; [k: string]: unknown }>;
  stop(): Promise<void>;
}

/** Start `helpers/serve.ts` inside a namespace and wait for its ready line. */
export function startServerIn(ns: string, args: string[]): Promise<ServerProcess> {
  const serve = new URL('./serve.ts', import.meta.url).pathname;
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', serve, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const events: ServerProcess['events'] = [];
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 20_000);
    child.once('exit', (code) => reject(new Error(`server exited (${code}): ${stderr}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const msg = JSON.parse(line) as { ready?: boolean; port?: number; event?: string };
      if (msg.ready) {
        clearTimeout(timer);
        resolve({
          child,
          port: msg.port ?? 0,
          events,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGTERM');
              setTimeout(() => child.kill('SIGKILL'), 3000).unref();
            }),
        });
      } else if (msg.event) {
        events.push(msg as ServerProcess['events'][number]);
      }
    });
  });
}
