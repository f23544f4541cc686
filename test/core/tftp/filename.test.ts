import test from 'ava';
import { checkFilename, MAX_FILENAME_LENGTH, printableName } from '../../../core/tftp/filename.js';

const ok: Array<[string, string]> = [
  ['undionly.kpxe', 'undionly.kpxe'],
  ['ipxe/x86_64/ipxe.efi', 'ipxe/x86_64/ipxe.efi'],
  ['./a//b/./c', 'a/b/c'],
  ['...', '...'],
  ['a..b/..c', 'a..b/..c'],
  ['dir/', 'dir'],
  ['x'.repeat(MAX_FILENAME_LENGTH), 'x'.repeat(MAX_FILENAME_LENGTH)],
];
for (const [raw, name] of ok) {
  test(`accepted: ${JSON.stringify(raw.slice(0, 40))}`, (t) => t.deepEqual(checkFilename(raw), { ok: true, name }));
}

const refused: Array<[string, RegExp]> = [
  ['', /empty/],
  ['../etc/passwd', /\.\./],
  ['a/../../b', /\.\./],
  ['a/..', /\.\./],
  ['..', /\.\./],
  ['/etc/passwd', /absolute/],
  ['//etc/passwd', /absolute/],
  ['..\\windows', /backslash/],
  ['boot\\bcd', /backslash/],
  ['a\0b', /NUL/],
  ['a\x01b', /non-printable/],
  ['a\x7fb', /non-printable/],
  ['caf\xe9', /non-printable/],
  ['tab\there', /non-printable/],
  ['x'.repeat(MAX_FILENAME_LENGTH + 1), /longer/],
  ['.', /no file part/],
  ['./', /no file part/],
];
for (const [raw, reason] of refused) {
  test(`refused: ${JSON.stringify(raw.slice(0, 40))}`, (t) => {
    const r = checkFilename(raw);
    t.false(r.ok);
    if (!r.ok) t.regex(r.reason, reason);
  });
}

test('printableName escapes what a terminal should not see and caps the length', (t) => {
  t.is(printableName('a\x1b[31m\\b'), 'a\\x1b[31m\\x5cb');
  t.is(printableName('y'.repeat(200), 10), `${'y'.repeat(10)}…`);
});
