/**
 * Built-in plugins, by the name `--plugin NAME` uses. Imported lazily so
 * that a plugin's dependencies load only when it is used.
 */
export interface BuiltinPlugin {
  readonly description: string;
  readonly load: () => Promise<unknown>;
}

export const BUILTINS: Readonly<Record<string, BuiltinPlugin>> = {
  api: {
    description: 'asks an HTTP API what each machine boots (Pixiecore boot API v1: pixie api <url>)',
    load: () => import('../plugins/api/index.js'),
  },
  quick: {
    description: 'boots a well-known distribution or netboot.xyz (pixie quick <recipe>)',
    load: () => import('../plugins/quick/index.js'),
  },
  'ipxe-script': {
    description: 'renders each machine\'s iPXE script (loaded by default; custom templates or functions)',
    load: () => import('../plugins/ipxe-script/index.js'),
  },
  static: {
    description: 'boots every machine with one kernel, initrds and cmdline (pixie boot)',
    load: () => import('../plugins/static/index.js'),
  },
  s3: {
    description: 'serves s3://bucket/key files from AWS S3 or S3-compatible stores (MinIO, Ceph RGW, Garage, R2)',
    load: () => import('../plugins/s3/index.js'),
  },
  webhook: {
    description: 'POSTs boot events as signed JSON to URLs (retries, bounded queue, never delays a boot)',
    load: () => import('../plugins/webhook/index.js'),
  },
};

export const BUILTIN_PLUGINS: Readonly<Record<string, () => Promise<unknown>>> = Object.fromEntries(
  Object.entries(BUILTINS).map(([name, b]) => [name, b.load]),
);
