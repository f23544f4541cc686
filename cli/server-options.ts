/**
 * The server flags every serving command shares, with Pixiecore's names and
 * defaults, and their translation into pixie's config shape.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import type { PixieConfigInput } from '../core/config.js';
import { BUILTIN_FLAGS } from './plugin-flags.js';

const int = (name: string) => (v: string) => {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`${name} must be a whole number.`);
  return Number(v);
};
const collect = (v: string, prev: string[] = []) => [...prev, v];

/**
 * Add the shared server flags and the built-in plugins' flags (except those
 * of `ownPlugin`, which a command such as `api` declares itself).
 */
export function addServerOptions(cmd: Command, ownPlugin?: string): Command {
  cmd
    .option('-c, --config <file>', 'config file (default: search for pixie.config.{js,mjs,cjs,json,yaml} from the working directory)')
    .option('--plugin <name>', 'load a plugin: built-in name, npm package (pixie-plugin-NAME) or path; repeatable', collect)
    .option('-l, --listen-addr <ip>', 'IPv4 address to listen on (default: 0.0.0.0)')
    .option('-p, --port <port>', 'HTTP port for iPXE scripts and files (default: 80)', int('--port'))
    .addOption(new Option('--status-port <port>', 'accepted for Pixiecore compatibility (unused)').argParser(int('--status-port')).hideHelp())
    .option('--dhcp-no-bind', 'do not bind port 67; listen with a raw socket so a DHCP server on this host keeps it (needs CAP_NET_RAW)')
    .option('--ipxe-bios <file>', 'iPXE binary for BIOS PXE clients (default: bundled undionly.kpxe)')
    .option('--ipxe-ipxe <file>', 'iPXE binary for BIOS clients already running iPXE (default: bundled ipxe.pxe)')
    .option('--ipxe-efi32 <file>', 'iPXE binary for 32-bit UEFI clients')
    .option('--ipxe-efi64 <file>', 'iPXE binary for 64-bit x86 UEFI clients (default: bundled ipxe.efi)')
    .option('--ipxe-efi-arm64 <file>', 'iPXE binary for arm64 UEFI clients (default: bundled ipxe-arm64.efi)')
    .option('--ipxe-efi-arm32 <file>', 'iPXE binary for 32-bit ARM UEFI clients (none bundled)')
    .option('--ipxe-require <feature>', 'a feature (e.g. https) an iPXE already running must have, else pixie chainloads its own iPXE; repeatable', collect)
    .option('--secret <string>', 'key for signed file URLs, shared by instances (env PIXIE_SECRET; default: random per start)')
    .option('--cache-dir <dir>', 'cache for remote files (default: ~/.cache/pixie)')
    .option('--decision-cache <ms>', 'reuse a machine\'s boot decision for this long (default: 30000)', int('--decision-cache'))
    .option('-d, --debug', 'log every decision and ignored packet')
    .option('-t, --log-timestamps', 'add timestamps to log lines')
    .addOption(new Option('--log-format <format>', 'log format').choices(['auto', 'pretty', 'json']));
  for (const f of BUILTIN_FLAGS.filter((b) => b.plugin !== ownPlugin)) {
    const o = new Option(f.flags, `${f.description} (plugin ${f.plugin})`);
    if (f.list) o.argParser(collect);
    cmd.addOption(o);
  }
  addEnvVars(cmd);
  return cmd;
}

/** Repeatable flags have no environment variable (one value per variable). */
const NO_ENV = new Set(['--plugin', '--ipxe-require']);

/**
 * Every single-valued flag can also come from the environment, as
 * `PIXIE_<FLAG>` (`--listen-addr` → `PIXIE_LISTEN_ADDR`), the way containers
 * are usually configured. A flag on the command line wins over the variable,
 * and the variable over the config file.
 */
function addEnvVars(cmd: Command): void {
  const vars: Array<{ option: Option; name: string }> = [];
  for (const o of cmd.options) {
    if (!o.long || NO_ENV.has(o.long) || o.envVar) continue;
    if ((o.parseArg as unknown) === collect) continue;
    const name = `PIXIE_${o.long.slice(2).replace(/-/g, '_').toUpperCase()}`;
    vars.push({ option: o, name });
    // Shown in --help. Values are applied below: commander only reads
    // variables declared before an option is added, and would turn a switch
    // on for any value ("0" and "false" too).
    if (o.required || o.optional) o.env(name);
    else o.description += ` (env: ${name}=1)`;
  }
  cmd.hook('preAction', (_root, action) => {
    if (action !== cmd) return;
    for (const { option, name } of vars) {
      const raw = process.env[name];
      const key = option.attributeName();
      if (raw === undefined || action.getOptionValueSource(key) === 'cli') continue;
      if (!option.required && !option.optional) {
        if (['1', 'true', 'yes', 'on'].includes(raw.trim().toLowerCase())) action.setOptionValueWithSource(key, true, 'env');
        continue;
      }
      let value: unknown = raw;
      try {
        if (option.parseArg) value = option.parseArg(raw, undefined);
        if (option.argChoices && !option.argChoices.includes(raw)) throw new InvalidArgumentError(`Allowed choices are ${option.argChoices.join(', ')}.`);
      } catch (err) {
        action.error(`error: ${name}="${raw}" (for ${option.long}) is invalid. ${err instanceof Error ? err.message : ''}`, {
          exitCode: 2,
          code: 'commander.invalidArgument',
        });
      }
      action.setOptionValueWithSource(key, value, 'env');
    }
  });
}

export interface ServerFlags {
  config?: string;
  plugin?: string[];
  listenAddr?: string;
  port?: number;
  statusPort?: number;
  dhcpNoBind?: boolean;
  ipxeBios?: string;
  ipxeIpxe?: string;
  ipxeEfi32?: string;
  ipxeEfi64?: string;
  ipxeEfiArm64?: string;
  ipxeEfiArm32?: string;
  ipxeRequire?: string[];
  secret?: string;
  cacheDir?: string;
  decisionCache?: number;
  debug?: boolean;
  logTimestamps?: boolean;
  logFormat?: 'auto' | 'pretty' | 'json';
  [pluginFlag: string]: unknown;
}

/** camelCase attribute name commander uses for a long flag. */
const attrName = (flags: string) =>
  (/--([a-z0-9-]+)/.exec(flags)?.[1] ?? '').replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** Translate flags to a config overlay; only flags actually given appear. */
export function flagsToConfig(f: ServerFlags, env: NodeJS.ProcessEnv = process.env, ownPlugin?: string): PixieConfigInput {
  const ipxe = {
    bios: f.ipxeBios,
    ipxe: f.ipxeIpxe,
    efi32: f.ipxeEfi32,
    efi64: f.ipxeEfi64,
    efiArm64: f.ipxeEfiArm64,
    efiArm32: f.ipxeEfiArm32,
    // Validated by the config schema (a list of feature names).
    require: f.ipxeRequire as NonNullable<PixieConfigInput['ipxe']>['require'],
  };
  const plugins: NonNullable<PixieConfigInput['plugins']> = (f.plugin ?? []).map((p) => p);
  const byPlugin = new Map<string, Record<string, unknown>>();
  for (const bf of BUILTIN_FLAGS) {
    if (bf.plugin === ownPlugin) continue;
    const v = f[attrName(bf.flags)];
    if (v === undefined) continue;
    const opts = byPlugin.get(bf.plugin) ?? {};
    opts[bf.key] = v;
    byPlugin.set(bf.plugin, opts);
  }
  for (const [name, opts] of byPlugin) {
    const i = plugins.indexOf(name);
    if (i >= 0) plugins[i] = [name, opts];
    else plugins.push([name, opts]);
  }
  const secret = f.secret ?? env.PIXIE_SECRET;
  const out: PixieConfigInput = {
    listenAddr: f.listenAddr,
    port: f.port,
    statusPort: f.statusPort,
    dhcpNoBind: f.dhcpNoBind,
    ipxe: Object.values(ipxe).some((v) => v !== undefined) ? ipxe : undefined,
    secret: secret && secret.length > 0 ? secret : undefined,
    cacheDir: f.cacheDir,
    decisionCacheMs: f.decisionCache,
    debug: f.debug,
    logTimestamps: f.logTimestamps,
    logFormat: f.logFormat,
    plugins: plugins.length > 0 ? plugins : undefined,
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
}
