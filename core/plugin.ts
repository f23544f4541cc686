/**
 * The plugin contract. A plugin is a value: a name, an optional option schema
 * (zod) and a `setup(ctx)` that taps hooks and subscribes to events.
 */
import type { z } from 'zod';
import type { Logger } from 'pino';
import type { PixieHooks, HookName } from './hooks.js';
import type { PixieEmitter } from './events.js';
import type { Machine } from './boot/machine.js';
import type { BootSpec, FileSource } from './boot/spec.js';
import type { FileRequest } from './hooks.js';
import type { PixieConfig } from './config-schema.js';
import { PixieError } from './errors.js';

/** Services the core offers every plugin. */
export interface CoreServices {
  /** The validated, frozen global configuration. */
  readonly config: PixieConfig;
  /** Directory relative references resolve against (config file dir or cwd). */
  readonly baseDir: string;
  /** Directory for on-disk caches. */
  readonly cacheDir: string;
  /** Mint a signed, opaque ID for a file reference (served at `/_/file?name=<id>`). */
  fileId(ref: string): string;
  /** Ask the plugins what a machine boots (cached per machine for a short time); rejects when a tap threw. */
  decide(machine: Machine): Promise<BootSpec | null>;
  /**
   * From inside a `boot:decide` tap: don't cache the answer being made for
   * this machine (use when "ignore" is only due to a passing failure).
   */
  dontCache(machine: Pick<Machine, 'mac' | 'arch'>): void;
  /** Resolve a file reference through `file:resolve`. */
  resolveFile(ref: string, request: FileRequest): Promise<FileSource | undefined>;
}

/** Tap options: order by `stage` (lower runs first), as tapable does. */
export interface TapOptions {
  stage?: number;
  before?: string | string[];
}

type TapFn<K extends HookName> = PixieHooks[K] extends { tapPromise(o: never, fn: infer F): void } ? F : never;

export interface PluginContext<O = unknown> {
  /** The plugin's own name. */
  readonly name: string;
  /** The raw hook map (tapable). Prefer `tap()`, which names and guards the tap. */
  readonly hooks: PixieHooks;
  readonly events: PixieEmitter;
  /** A pino child logger tagged `{ plugin: name }`. */
  readonly log: Logger;
  /** The plugin's validated options. */
  readonly options: O;
  readonly core: CoreServices;
  /** Aborted when pixie stops. */
  readonly signal: AbortSignal;
  /** Tap a hook with a promise-returning function named after this plugin. */
  tap<K extends HookName>(hook: K, fn: TapFn<K>, opts?: TapOptions): void;
  /** Run `fn` when pixie stops (LIFO across plugins). */
  onClose(fn: () => void | Promise<void>): void;
}

/** A CLI flag a plugin contributes to the generic `pixie --plugin NAME` form. */
export interface PluginFlag {
  /** Commander syntax, e.g. `--s3-endpoint <url>`. */
  readonly flags: string;
  readonly description: string;
  /** Option key this flag sets. */
  readonly key: string;
  /** `list` collects repeated flags into an array. */
  readonly list?: boolean;
}

export interface PluginDefinition<O = unknown> {
  readonly name: string;
  readonly description?: string;
  /** zod schema for the options; its output type is `ctx.options`. */
  readonly options?: z.ZodType<O>;
  /** Names of plugins that must be loaded before this one. */
  readonly dependsOn?: readonly string[];
  readonly flags?: readonly PluginFlag[];
  /** Milliseconds setup() may take (default 10 000). */
  readonly setupTimeoutMs?: number;
  setup(ctx: PluginContext<O>): void | Promise<void>;
}

/** Any plugin, whatever its options type (plugin lists hold these). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyPlugin = PluginDefinition<any>;

/** Identity helper that gives plugin authors full types. */
export function definePlugin<O = Record<string, never>>(def: PluginDefinition<O>): PluginDefinition<O> {
  return def;
}

export function isPluginDefinition(v: unknown): v is PluginDefinition {
  return (
    typeof v === 'object' && v !== null && typeof (v as PluginDefinition).name === 'string' && typeof (v as PluginDefinition).setup === 'function'
  );
}

/** Wrap a tap so a throw names the plugin and hook (PIXIE_ERR_HOOK), keeping the cause. */
export function guardTap<A extends unknown[], R>(plugin: string, hook: string, fn: (...args: A) => Promise<R> | R) {
  return async (...args: A): Promise<R> => {
    try {
      return await fn(...args);
    } catch (err) {
      if (err instanceof PixieError && err.code === 'PIXIE_ERR_HOOK') throw err;
      const msg = err instanceof Error ? err.message : String(err);
      throw new PixieError('PIXIE_ERR_HOOK', `plugin "${plugin}" failed in hook ${hook}: ${msg}`, { cause: err });
    }
  };
}
