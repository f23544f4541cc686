/**
 * The `pixie` command line: argument parsing → config → createPixie. Kept
 * free of process globals so tests can run it in-process.
 */
import { Command, CommanderError } from 'commander';
import type { PixieConfigInput } from '../core/config.js';
import { addServerOptions, flagsToConfig, type ServerFlags } from './server-options.js';
import { parseDurationMs } from './duration.js';
import { listPlugins } from './list-plugins.js';
import { serve, type RunIo } from './serve.js';

export { type RunIo } from './serve.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];

const EXAMPLES = `
Examples:
  pixie boot ./vmlinuz ./initrd.img --cmdline 'console=ttyS0 cfg={{ ID "./cloud.yml" }}'
  pixie api http://inventory.example/pixie        # Pixiecore boot API v1
  pixie quick debian --dhcp-no-bind               # next to a DHCP server on this host
  pixie --plugin api --plugin s3 --plugin webhook # compose plugins (options from pixie.config.js)
  pixie                                           # everything from pixie.config.js`;

/** Build the program. `action` results are collected in `pending`. */
export function buildProgram(io: RunIo, pending: Array<Promise<number>>): Command {
  const program = new Command('pixie')
    .description('Network-boot server: proxyDHCP, TFTP and HTTP for PXE, iPXE and UEFI HTTP Boot, extended by plugins.')
    .version(io.version, '-V, --version')
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', EXAMPLES);
  addServerOptions(program);
  // Server flags are accepted before the command (`pixie --port 8080 boot …`)
  // and after it (`pixie boot … --port 8080`); the later ones win.
  program.enablePositionalOptions();
  const withGlobals = <F extends object>(flags: F): F => {
    const given = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
    return { ...program.opts(), ...given };
  };
  program.action((flags: ServerFlags) => {
    pending.push(serve(flagsToConfig(flags, io.env), flags.config, io));
  });

  const boot = new Command('boot')
    .description('Boot every PXE machine into one kernel (and initrds), like `pixiecore boot`.')
    .argument('<kernel>', 'kernel: local path, file://, http(s):// or s3:// reference')
    .argument('[initrd...]', 'initrds, in order')
    .option('--cmdline <cmdline>', 'kernel command line; {{ ID "./file" }} becomes a pixie URL for that file', '')
    .option('--bootmsg <message>', 'message iPXE shows before booting', '')
    .option('--kernel-arm64 <kernel>', 'kernel for arm64 machines (mixed racks)')
    .option('--initrd-arm64 <initrd>', 'initrd for arm64 machines; repeatable', collect)
    .addHelpText('after', `\nExample:\n  pixie boot ./vmlinuz ./initrd.gz --cmdline 'console=ttyS0 x={{ ID "./extra.txt" }}'`);
  addServerOptions(boot).action((kernel: string, initrd: string[], own: ServerFlags & Record<string, unknown>) => {
    const flags = withGlobals(own);
    const perArch =
      flags.kernelArm64 !== undefined ? { arm64: { kernel: flags.kernelArm64 as string, initrd: (flags.initrdArm64 as string[] | undefined) ?? [] } } : undefined;
    const opts = { kernel, initrd, cmdline: flags.cmdline as string, message: flags.bootmsg as string, ...(perArch ? { perArch } : {}) };
    pending.push(serve(withPlugin(flagsToConfig(flags, io.env), 'static', opts), flags.config, io));
  });
  program.addCommand(boot);

  const api = new Command('api')
    .description('Ask an HTTP API what each machine boots (Pixiecore boot API v1: GET <url>/v1/boot/<mac>).')
    .argument('<url>', 'base URL of the API')
    .option('--api-request-timeout <duration>', 'timeout for the whole API request (Go duration: 5s, 1500ms)', '5s')
    .option('--api-header <header>', "extra request header 'Name: value'; repeatable", collect)
    .option('--api-send-arch', 'add ?arch=&firmware= to API requests (off: Pixiecore-compatible)')
    .addHelpText(
      'after',
      `\nThe API answers 200 with JSON {"kernel": url, "initrd": [url...], "cmdline": string, "message": string}
or {"ipxe-script": "..."}; anything else (non-200, timeout, bad JSON) means "don't boot this machine".
Example:\n  pixie api http://127.0.0.1:4242 --api-request-timeout 2s`,
    );
  addServerOptions(api, 'api').action((url: string, own: ServerFlags & Record<string, unknown>) => {
    const flags = withGlobals(own);
    const timeoutMs = parseDurationMs(String(flags.apiRequestTimeout));
    if (timeoutMs === undefined) throw new CommanderError(2, 'pixie.badDuration', `error: --api-request-timeout "${String(flags.apiRequestTimeout)}" is not a duration such as 5s or 1500ms\n`);
    const opts = { url, timeoutMs, headers: (flags.apiHeader as string[] | undefined) ?? [], sendArch: Boolean(flags.apiSendArch) };
    pending.push(serve(withPlugin(flagsToConfig(flags, io.env, 'api'), 'api', opts), flags.config, io));
  });
  program.addCommand(api);

  const quick = new Command('quick')
    .description('Boot a well-known distribution installer or live system (see --list).')
    .argument('[recipe]', 'recipe name, e.g. debian, ubuntu, fedora, xyz')
    .argument('[version]', 'release (default: the recipe\'s current release)')
    .option('--arch <arch>', 'architecture (recipe-specific, e.g. amd64, x86_64, arm64)')
    .option('--mirror <url>', 'mirror base URL')
    .option('--cmdline <cmdline>', 'extra kernel arguments, after the recipe\'s own')
    .option('--bootmsg <message>', 'message iPXE shows before booting')
    .option('--list', 'list recipes and their versions')
    .addHelpText('after', (ctx) => recipeHelp?.(ctx.command.args) ?? '');
  addServerOptions(quick).action(async (recipe: string | undefined, version: string | undefined, own: ServerFlags & Record<string, unknown>) => {
    const flags = withGlobals(own);
    const { listRecipes } = await import('./quick-list.js');
    if (flags.list || !recipe) {
      if (!recipe && !flags.list) io.stderr.write('error: missing recipe\n');
      io.stdout.write(await listRecipes());
      pending.push(Promise.resolve(flags.list ? 0 : 2));
      return;
    }
    const opts = { recipe, version, arch: flags.arch, mirror: flags.mirror, cmdline: flags.cmdline, message: flags.bootmsg };
    pending.push(serve(withPlugin(flagsToConfig(flags, io.env), 'quick', opts), flags.config, io));
  });
  program.addCommand(quick);
  // Recipe details for `pixie quick <recipe> --help`, loaded only when that command runs.
  let recipeHelp: ((args: readonly string[]) => string) | undefined;
  program.hook('preSubcommand', async (_cmd, sub) => {
    if (sub.name() === 'quick') recipeHelp = await (await import('./quick-list.js')).loadRecipeHelp();
  });

  program.addCommand(
    new Command('plugins').description('List built-in and installed plugins.').action(async () => {
      io.stdout.write(await listPlugins(io.cwd));
      pending.push(Promise.resolve(0));
    }),
  );
  for (const sub of program.commands) sub.copyInheritedSettings(program);
  return program;
}

function withPlugin(cfg: PixieConfigInput, name: string, options: Record<string, unknown>): PixieConfigInput {
  const clean = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  return { ...cfg, plugins: [[name, clean], ...(cfg.plugins ?? []).filter((p) => p !== name)] };
}

/** Run the CLI; resolves to the process exit code. */
export async function run(argv: string[], io: RunIo): Promise<number> {
  const pending: Array<Promise<number>> = [];
  const program = buildProgram(io, pending);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      if (err.code === 'pixie.badDuration') io.stderr.write(err.message);
      return 2;
    }
    throw err;
  }
  const codes = await Promise.all(pending);
  return codes.find((c) => c !== 0) ?? 0;
}
