/**
 * The pixie instance: hooks, events, plugins and the protocol services,
 * with no global state (several instances can live in one process).
 */
import envPaths from 'env-paths';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { createHooks, type PixieHooks, type FileRequest } from './hooks.js';
import { createEvents, type PixieEmitter } from './events.js';
import { validateConfig, type PixieConfig, type PixieConfigInput } from './config.js';
import { createLogger } from './log.js';
import { createFileIds, randomSecret, type FileIdCodec } from './boot/file-id.js';
import { createDecider, type Decider } from './boot/decide.js';
import { createIpxeBinaries, type IpxeBinaries } from './boot/firmware.js';
import type { Machine } from './boot/machine.js';
import type { BootSpec, FileSource } from './boot/spec.js';
import { loadPlugins, type LoadedPlugins } from './plugins.js';
import type { CoreServices } from './plugin.js';
import { startServices, type Service } from './services.js';
import { logActivity } from './activity.js';

export interface CreatePixieOptions {
  /** A logger to use (default: one made from the config's log settings). */
  log?: Logger;
  /** Base for relative file references (default: cwd). */
  baseDir?: string;
}

export interface Pixie extends CoreServices {
  readonly hooks: PixieHooks;
  readonly events: PixieEmitter;
  readonly log: Logger;
  readonly ipxe: IpxeBinaries;
  readonly fileIds: FileIdCodec;
  /** Names of loaded plugins, in load order. */
  readonly plugins: readonly string[];
  /** Load plugins (idempotent) without starting network services. */
  ready(): Promise<void>;
  /** Load plugins and start the DHCP/TFTP/HTTP services. */
  start(): Promise<void>;
  /** Stop services and run plugins' onClose handlers (LIFO). */
  stop(): Promise<void>;
  /** Addresses the running services listen on. */
  readonly services: readonly Service[];
}

export function createPixie(input: PixieConfigInput | PixieConfig = {}, opts: CreatePixieOptions = {}): Pixie {
  const config = validateConfig(input);
  const log = opts.log ?? createLogger({ format: config.logFormat, debug: config.debug, timestamps: config.logTimestamps });
  const baseDir = resolve(opts.baseDir ?? process.cwd());
  const hooks = createHooks();
  const events = createEvents(log);
  const cacheDir = resolve(baseDir, config.cacheDir ?? join(envPaths('pixie', { suffix: '' }).cache));
  const fileIds = createFileIds(config.secret ?? randomSecret());
  const decider: Decider = createDecider(hooks, events, log, config.decisionCacheMs);
  const ipxe = createIpxeBinaries(config.ipxe, baseDir);

  let loaded: Promise<LoadedPlugins> | undefined;
  let running: Service[] = [];
  let stopActivity: (() => void) | undefined;
  const abort = new AbortController();

  const pixie: Pixie = {
    config,
    baseDir,
    cacheDir,
    hooks,
    events,
    log,
    ipxe,
    fileIds,
    get plugins() {
      return names;
    },
    get services() {
      return running;
    },
    fileId: (ref) => fileIds.mint(ref),
    decide: (machine: Machine): Promise<BootSpec | null> => decider.decide(machine),
    dontCache: (machine) => decider.dontCache(machine),
    async resolveFile(ref: string, request: FileRequest): Promise<FileSource | undefined> {
      return hooks['file:resolve'].promise(ref, request);
    },
    async ready() {
      loaded ??= loadPlugins(pixie, config.plugins, abort.signal);
      const l = await loaded;
      names = l.names;
    },
    async start() {
      await pixie.ready();
      if (!config.secret) {
        log.info('no secret configured: file URLs are signed with a random key and stop working after a restart (set --secret or PIXIE_SECRET to share them)');
      }
      stopActivity ??= logActivity(events, log);
      running = await startServices(pixie);
    },
    async stop() {
      abort.abort();
      stopActivity?.();
      stopActivity = undefined;
      const services = running;
      running = [];
      for (const s of services.reverse()) {
        await s.stop().catch((err: unknown) => log.error({ err }, `stopping ${s.name} failed`));
      }
      if (loaded) await (await loaded.catch(() => undefined))?.close();
    },
  };
  let names: string[] = [];
  return pixie;
}
