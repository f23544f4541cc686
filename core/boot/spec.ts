import type { Readable } from 'node:stream';
import type { Arch } from './machine.js';

/**
 * What a machine should boot. File fields are *references* (a local path,
 * `file://`, `http(s)://`, `s3://`, or any scheme a plugin resolves through
 * `file:resolve`); pixie turns each into a signed, opaque URL before a machine
 * sees it.
 */
export interface BootSpec {
  /** Kernel reference. Required unless `ipxeScript` is given. */
  kernel?: string | undefined;
  /** Initrd references, in order. */
  initrd?: readonly string[] | undefined;
  /** Kernel command line; may use `{{ ID "ref" }}` / `{{ URL "ref" }}` templates. */
  cmdline?: string | undefined;
  /** A message iPXE prints before booting (Pixiecore's `--bootmsg` / API `message`). */
  message?: string | undefined;
  /** A complete iPXE script served verbatim; all other fields are ignored. */
  ipxeScript?: string | undefined;
  /** Per-architecture overrides of kernel/initrd/cmdline (mixed racks). */
  perArch?: Partial<Record<Arch, Pick<BootSpec, 'kernel' | 'initrd' | 'cmdline'>>> | undefined;
}

/** An inclusive byte range, as in HTTP `Range: bytes=start-end`. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * A file pixie can serve. `size` must be known: iPXE crawls without
 * Content-Length, and TFTP's tsize option needs it.
 */
export interface FileSource {
  readonly size: number;
  readonly etag?: string | undefined;
  readonly lastModified?: Date | undefined;
  readonly contentType?: string | undefined;
  /** A human-readable origin for logs (never a secret). */
  readonly description?: string | undefined;
  /** Open a stream of the whole file or of one byte range. */
  open(range?: ByteRange): Promise<Readable> | Readable;
}

/** Pick the kernel/initrd/cmdline that apply to one architecture. */
export function specForArch(spec: BootSpec, arch: Arch): BootSpec {
  const over = spec.perArch?.[arch];
  if (!over) return spec;
  return { ...spec, ...Object.fromEntries(Object.entries(over).filter(([, v]) => v !== undefined)) };
}
