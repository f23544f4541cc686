import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES } from '../../core/errors.js';

test('every error code is documented in docs/errors.md, and nothing else is', (t) => {
  const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'errors.md'), 'utf8');
  const documented = [...doc.matchAll(/^## (PIXIE_ERR_\w+)/gm)].map((m) => m[1]);
  t.deepEqual(documented, Object.keys(ERROR_CODES));
  t.deepEqual(Object.keys(ERROR_CODES), [...Object.keys(ERROR_CODES)].sort(), 'codes are kept sorted');
});
