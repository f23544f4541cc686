/** What the HTTP routes share for one server: the pixie instance and per-server caches. */
import type { Pixie } from '../pixie.js';
import { createSmallFiles, type SmallFiles } from './small-files.js';

export interface RouteContext {
  readonly pixie: Pixie;
  readonly small: SmallFiles;
  /** `pixie.fileIds.open`, remembered: an authenticated ID always opens to the same reference. */
  openId(id: string): string | undefined;
}

const OPENED_IDS_MAX = 4096;
/** Small files are served from memory for up to this long without resolving them again. */
const SMALL_FILE_FRESH_MS = 1000;

export function createRouteContext(pixie: Pixie): RouteContext {
  const opened = new Map<string, string>();
  return {
    pixie,
    small: createSmallFiles({ maxFileBytes: 1024 * 1024, maxTotalBytes: 64 * 1024 * 1024, freshMs: Math.min(SMALL_FILE_FRESH_MS, pixie.config.http.cacheFreshMs) }),
    openId(id) {
      let ref = opened.get(id);
      if (ref !== undefined) return ref;
      ref = pixie.fileIds.open(id);
      if (ref === undefined) return undefined;
      if (opened.size >= OPENED_IDS_MAX) opened.delete(opened.keys().next().value!);
      opened.set(id, ref);
      return ref;
    },
  };
}
