/**
 * The built-in iPXE script: pure functions from a BootSpec and a machine to
 * script text. The layout follows Pixiecore's: fetch the kernel and initrds
 * under names, fetch the "booted" beacon (errors ignored), boot.
 */
import type { BootSpec } from '../../core/boot/spec.js';
import type { Machine } from '../../core/boot/machine.js';
import { renderCmdline, renderTemplate, type ParsedTemplate } from '../../core/boot/template.js';
import { bootingUrl, fileUrl } from '../../core/boot/urls.js';
import { ipxeArgs, ipxeEcho } from '../../core/boot/ipxe-text.js';

/** Where the machine reaches pixie, and how to sign references. */
export interface ScriptEnv {
  /** `http://<address>[:port]` as seen by the machine. */
  readonly base: string;
  /** Signed, opaque ID of a file reference. */
  fileId(ref: string): string;
}

/** The pieces of a machine's script, also offered to user templates as variables. */
export interface ScriptParts {
  readonly kernelUrl: string;
  readonly initrdUrls: readonly string[];
  /** Expanded kernel command line, made safe for iPXE (without `initrd=`). */
  readonly cmdline: string;
  readonly bootingUrl: string;
  /** `echo` lines for the boot message (empty without one). */
  readonly echo: readonly string[];
  /** `initrd --name initrdN <url>` lines. */
  readonly initrdLines: readonly string[];
  /** `initrd=initrd0 initrd=initrd1 …` (EFI-stub kernels need it). */
  readonly initrdArgs: string;
  /** The whole default script without its `#!ipxe` line. */
  readonly body: readonly string[];
}

/** Names user script templates may use as `{{ .Name }}`. */
export const TEMPLATE_VARIABLES = ['MAC', 'Arch', 'Firmware', 'Base', 'Kernel', 'Initrds', 'InitrdArgs', 'Cmdline', 'Echo', 'Booting', 'Boot'] as const;

/** Build the script pieces for one machine. `spec` must already be the per-arch one. */
export function scriptParts(spec: BootSpec, machine: Pick<Machine, 'mac'>, env: ScriptEnv): ScriptParts {
  if (!spec.kernel) throw new Error('the BootSpec has neither a kernel nor an ipxeScript');
  const mac = machine.mac;
  const kernelUrl = fileUrl(env.base, env.fileId(spec.kernel), { type: 'kernel', mac });
  const initrdUrls = (spec.initrd ?? []).map((ref) => fileUrl(env.base, env.fileId(ref), { type: 'initrd', mac }));
  const expanded = spec.cmdline ? renderCmdline(spec.cmdline, (ref) => fileUrl(env.base, env.fileId(ref))) : '';
  const cmdline = ipxeArgs(expanded, 'cmdline');
  const beacon = bootingUrl(env.base, mac);
  const echo = spec.message ? ipxeEcho(spec.message) : [];
  const initrdLines = initrdUrls.map((u, i) => `initrd --name initrd${i} ${u}`);
  const initrdArgs = initrdUrls.map((_, i) => `initrd=initrd${i}`).join(' ');
  const bootArgs = [initrdArgs, cmdline].filter(Boolean).join(' ');
  const body = [
    ...echo,
    `kernel --name kernel ${kernelUrl}`,
    ...initrdLines,
    `imgfetch --name ready ${beacon} ||`,
    'imgfree ready ||',
    bootArgs ? `boot kernel ${bootArgs}` : 'boot kernel',
  ];
  return { kernelUrl, initrdUrls, cmdline, bootingUrl: beacon, echo, initrdLines, initrdArgs, body };
}

/** The default script text. */
export function defaultScript(parts: ScriptParts): string {
  return `#!ipxe\n${parts.body.join('\n')}\n`;
}

/** Render a user script template (parsed with TEMPLATE_VARIABLES) for one machine. */
export function renderUserScript(t: ParsedTemplate, parts: ScriptParts, machine: Pick<Machine, 'mac' | 'arch' | 'firmware'>, env: ScriptEnv): string {
  const vars: Record<(typeof TEMPLATE_VARIABLES)[number], string> = {
    MAC: machine.mac,
    Arch: machine.arch,
    Firmware: machine.firmware,
    Base: env.base,
    Kernel: parts.kernelUrl,
    Initrds: parts.initrdLines.join('\n'),
    InitrdArgs: parts.initrdArgs,
    Cmdline: parts.cmdline,
    Echo: parts.echo.join('\n'),
    Booting: parts.bootingUrl,
    Boot: parts.body.join('\n'),
  };
  return renderTemplate(t, {
    call: (_fn, ref) => fileUrl(env.base, env.fileId(ref)),
    variable: (name) => vars[name as keyof typeof vars],
  });
}
