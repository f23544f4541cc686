/**
 * THE hook map: the single source of truth for every decision point pixie
 * offers plugins. Each hook's name, arguments, result and kind are declared
 * here once; `docs/hooks.md` is checked against `HOOK_INFO` by a test.
 *
 * Decisions are `AsyncSeriesBailHook`s: taps run in order (`stage`, then
 * registration), and the first tap that returns something other than
 * `undefined` wins. `undefined` means "no opinion, ask the next plugin".
 * Transforms are `AsyncSeriesWaterfallHook`s.
 */
import tapable from 'tapable';
import type { AsyncSeriesBailHook as BailHook, AsyncSeriesWaterfallHook as WaterfallHook } from 'tapable';
import type { Machine } from './boot/machine.js';
import type { BootSpec, FileSource } from './boot/spec.js';

const { AsyncSeriesBailHook, AsyncSeriesWaterfallHook } = tapable;

/** The DHCP request a `dhcp:discover` tap may inspect. */
export interface DhcpRequestInfo {
  /** DHCP message type name (`discover`, `request`, `inform`, …). */
  readonly messageType: string;
  /** UDP port it arrived on: 67 (proxyDHCP) or 4011 (PXE boot server). */
  readonly port: number;
  /** Option 60 (vendor class identifier), e.g. `PXEClient:Arch:00007:UNDI:003016`. */
  readonly vendorClass?: string | undefined;
  /** Option 77 (user class), e.g. `iPXE`. */
  readonly userClass?: string | undefined;
  /** Relay agent address (giaddr) when the request was relayed. */
  readonly relayAddress?: string | undefined;
  /** All options, raw, by code. */
  readonly options: ReadonlyMap<number, Uint8Array>;
}

/** A TFTP read request, as `tftp:request` taps see it. */
export interface TftpRequest {
  /** The requested name, already checked: relative, no `..`, no NUL or backslash. */
  readonly filename: string;
  readonly client: { readonly address: string; readonly port: number };
  /** The server address the request was sent to, when known. */
  readonly serverAddress?: string | undefined;
}

/** Why a file is being resolved, for `file:resolve` taps. */
export interface FileRequest {
  /** `kernel`, `initrd`, `file` (cmdline template) or `ipxe` (firmware binary). */
  readonly kind: 'kernel' | 'initrd' | 'file' | 'ipxe';
  /** The machine asking, when known. */
  readonly mac?: string | undefined;
}

export type HookKind = 'AsyncSeriesBailHook' | 'AsyncSeriesWaterfallHook';

export interface PixieHooks {
  /** A DHCP request from a PXE/iPXE/HTTP-boot client; `false` = stay silent. */
  'dhcp:discover': BailHook<[Machine, DhcpRequestInfo], false | undefined>;
  /** What should this machine boot? A BootSpec, `null` to ignore it. */
  'boot:decide': BailHook<[Machine], BootSpec | null | undefined>;
  /** Turn a file reference into bytes pixie can serve. */
  'file:resolve': BailHook<[string, FileRequest], FileSource | undefined>;
  /** Content for a TFTP read request; nothing = "file not found". */
  'tftp:request': BailHook<[TftpRequest], FileSource | undefined>;
  /** Render or rewrite the iPXE script of a machine. */
  'ipxe:script': WaterfallHook<[string, Machine, BootSpec]>;
}

export type HookName = keyof PixieHooks;

/** Documentation-grade description of each hook (checked against docs/hooks.md). */
export const HOOK_INFO: Record<HookName, { kind: HookKind; args: string[]; result: string }> = {
  'dhcp:discover': { kind: 'AsyncSeriesBailHook', args: ['machine', 'request'], result: 'false | undefined' },
  'boot:decide': { kind: 'AsyncSeriesBailHook', args: ['machine'], result: 'BootSpec | null | undefined' },
  'file:resolve': { kind: 'AsyncSeriesBailHook', args: ['ref', 'request'], result: 'FileSource | undefined' },
  'tftp:request': { kind: 'AsyncSeriesBailHook', args: ['request'], result: 'FileSource | undefined' },
  'ipxe:script': { kind: 'AsyncSeriesWaterfallHook', args: ['script', 'machine', 'spec'], result: 'string' },
};

/** Create a fresh, empty hook map (one per pixie instance; no global state). */
export function createHooks(): PixieHooks {
  return {
    'dhcp:discover': new AsyncSeriesBailHook<[Machine, DhcpRequestInfo], false | undefined>(['machine', 'request']),
    'boot:decide': new AsyncSeriesBailHook<[Machine], BootSpec | null | undefined>(['machine']),
    'file:resolve': new AsyncSeriesBailHook<[string, FileRequest], FileSource | undefined>(['ref', 'request']),
    'tftp:request': new AsyncSeriesBailHook<[TftpRequest], FileSource | undefined>(['request']),
    'ipxe:script': new AsyncSeriesWaterfallHook<[string, Machine, BootSpec]>(['script', 'machine', 'spec']),
  };
}
