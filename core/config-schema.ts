/**
 * The one schema every configuration passes through: pixie.config.* and CLI
 * flags are merged, validated here once, then frozen.
 */
import { z } from 'zod';
import type { AnyPlugin } from './plugin.js';
import { IPXE_FEATURE_NAMES } from './dhcp/ipxe-features.js';

const port = (def: number) => z.number().int().min(1).max(65535).default(def);
const ipv4 = z.string().regex(/^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/, 'an IPv4 address such as 0.0.0.0 or 192.168.1.10');

const pluginRef = z.union([
  z.string().min(1),
  z.custom<AnyPlugin>(
    (v) => typeof v === 'object' && v !== null && typeof (v as { setup?: unknown }).setup === 'function',
    'a plugin name, a path, or a value made by definePlugin()',
  ),
]);
/** A plugin entry: `'name'`, a definePlugin() value, or `[nameOrValue, options]`. */
export const pluginEntrySchema = z.union([pluginRef, z.tuple([pluginRef, z.unknown()])]);
export type PluginEntry = z.input<typeof pluginEntrySchema>;

/** iPXE binary overrides (paths), keyed as Pixiecore's `--ipxe-*` flags, and the features a running iPXE must have. */
export const ipxeSchema = z
  .object({
    bios: z.string().optional(),
    ipxe: z.string().optional(),
    efi32: z.string().optional(),
    efi64: z.string().optional(),
    efiArm64: z.string().optional(),
    efiArm32: z.string().optional(),
    /**
     * Features (option 175 names such as `https`) a running iPXE must have to get
     * its script; one lacking any is chainloaded into pixie's iPXE. `http` is always required.
     */
    require: z.array(z.enum(IPXE_FEATURE_NAMES)).optional(),
  })
  .strict()
  .default({});

export const configSchema = z
  .object({
    /** IPv4 address all listeners bind to (Pixiecore `--listen-addr`). */
    listenAddr: ipv4.default('0.0.0.0'),
    /** HTTP port for scripts and files (Pixiecore `--port`). */
    port: port(80),
    /** Accepted for Pixiecore compatibility; the status page shares `port`. */
    statusPort: z.number().int().min(0).max(65535).default(0),
    /** Listen for DHCP without binding port 67 (raw socket; needs CAP_NET_RAW). */
    dhcpNoBind: z.boolean().default(false),
    dhcp: z
      .object({ enabled: z.boolean().default(true), port: port(67), pxePort: port(4011) })
      .strict()
      .default({ enabled: true, port: 67, pxePort: 4011 }),
    tftp: z
      .object({ enabled: z.boolean().default(true), port: port(69), maxTransfers: z.number().int().min(1).max(10000).default(64) })
      .strict()
      .default({ enabled: true, port: 69, maxTransfers: 64 }),
    http: z
      .object({
        enabled: z.boolean().default(true),
        /** How long a cached http(s) file is served before it is revalidated upstream (ms). */
        cacheFreshMs: z.number().int().min(0).max(86_400_000).default(10_000),
      })
      .strict()
      .default({ enabled: true, cacheFreshMs: 10_000 }),
    ipxe: ipxeSchema,
    /** Key for signed file IDs; share it between instances. Random when absent. */
    secret: z.string().min(16, 'at least 16 characters').optional(),
    /** Where remote files are cached (default: the user cache dir). */
    cacheDir: z.string().optional(),
    /** How long one machine's boot decision is reused, in ms (0 = ask every time). */
    decisionCacheMs: z.number().int().min(0).max(3_600_000).default(30_000),
    debug: z.boolean().default(false),
    logFormat: z.enum(['auto', 'pretty', 'json']).default('auto'),
    logTimestamps: z.boolean().default(false),
    plugins: z.array(pluginEntrySchema).default([]),
  })
  .strict();

/** What users write (everything optional). */
export type PixieConfigInput = z.input<typeof configSchema>;
/** What the core sees after validation (defaults filled). */
export type PixieConfig = Readonly<z.output<typeof configSchema>>;

/** Typed helper for pixie.config.js. */
export function defineConfig(config: PixieConfigInput): PixieConfigInput {
  return config;
}
