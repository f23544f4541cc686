/**
 * The core's own default taps, loaded before every other plugin at a late
 * stage so that plugins can override them:
 * - `tftp:request`: the iPXE binaries pixie ships (or `--ipxe-*` overrides);
 * - `file:resolve`: local paths and `file://` URLs; `http(s)://` URLs
 *   through an on-disk cache under `cacheDir/http`.
 */
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { definePlugin } from './plugin.js';
import { localFileSource } from './files/local.js';
import { createHttpCache } from './files/http-cache.js';
import type { Pixie } from './pixie.js';

/** Taps registered at this stage run after plugins' default-stage taps. */
export const DEFAULT_TAP_STAGE = 100;

export const corePlugin = definePlugin({
  name: 'core',
  setup(ctx) {
    const pixie = ctx.core as Pixie;
    ctx.tap(
      'tftp:request',
      async (req) => {
        const path = pixie.ipxe.pathForName(req.filename);
        return path ? localFileSource(path, 'application/octet-stream') : undefined;
      },
      { stage: DEFAULT_TAP_STAGE },
    );
    ctx.tap(
      'file:resolve',
      async (ref) => {
        if (/^[a-z][a-z0-9+.-]*:/i.test(ref) && !ref.startsWith('file:')) return undefined;
        const path = ref.startsWith('file:') ? fileURLToPath(ref) : isAbsolute(ref) ? ref : resolve(ctx.core.baseDir, ref);
        return localFileSource(path);
      },
      { stage: DEFAULT_TAP_STAGE },
    );
    const httpCache = createHttpCache({ dir: join(ctx.core.cacheDir, 'http'), log: ctx.log, freshMs: ctx.core.config.http.cacheFreshMs });
    ctx.tap('file:resolve', async (ref) => (/^https?:\/\//i.test(ref) ? httpCache.resolve(ref) : undefined), { stage: DEFAULT_TAP_STAGE });
  },
});
