import test from 'ava';
import { goQuote } from '../../../plugins/api/quote.js';
import { absoluteCmdline, objectCmdline } from '../../../plugins/api/cmdline.js';
import { parseTemplate } from '../../../core/boot/template.js';

// Expected values are what Go's strconv.Quote prints.
const QUOTES: Array<[string, string]> = [
  ['ttyS0,115200', '"ttyS0,115200"'],
  ['', '""'],
  ['a "b" c', '"a \\"b\\" c"'],
  ['back\\slash', '"back\\\\slash"'],
  ['tab\there', '"tab\\there"'],
  ['nl\ncr\rbell\x07', '"nl\\ncr\\rbell\\a"'],
  ['\x00\x1b\x7f', '"\\x00\\x1b\\x7f"'],
  ['héllo wörld €', '"héllo wörld €"'],
  ['\u00a0nbsp', '"\\u00a0nbsp"'],
  ['zero\u200bwidth', '"zero\\u200bwidth"'],
  ['emoji 😀', '"emoji 😀"'],
  ['\u{e0001}tag', '"\\U000e0001tag"'],
  ['lone \ud800', '"lone \ufffd"'],
];

for (const [input, want] of QUOTES) {
  test(`goQuote(${JSON.stringify(input)}) = ${want}`, (t) => {
    t.is(goQuote(input), want);
  });
}

test('goQuote output parses back through the template string syntax', (t) => {
  for (const [input] of QUOTES.slice(0, -1)) {
    const parsed = parseTemplate(`{{ URL ${goQuote(`x${input}`)} }}`);
    const call = parsed.parts[0];
    t.is(call?.kind === 'call' ? call.arg : undefined, `x${input}`);
  }
});

test('object form: keys sorted, strings Go-quoted, booleans bare, url objects become URL templates', (t) => {
  const r = objectCmdline({ quiet: true, console: 'ttyS0,115200', ks: { url: '/ks.cfg' }, 'a.b': 'x"y', debug: false });
  t.deepEqual(r, { ok: true, cmdline: 'a.b="x\\"y" console="ttyS0,115200" debug ks={{ URL "/ks.cfg" }} quiet' });
});

test('object form: keys sort by bytes, as Go sort.Strings does', (t) => {
  const r = objectCmdline({ b: true, B: true, 'a-b': true, a: true, é: true, z: true });
  t.deepEqual(r, { ok: true, cmdline: 'B a a-b b z é' });
});

test('object form: an empty object is an empty cmdline', (t) => {
  t.deepEqual(objectCmdline({}), { ok: true, cmdline: '' });
});

const BAD_OBJECTS: Array<[Record<string, unknown>, RegExp]> = [
  [{ n: 5 }, /"n" is a number/],
  [{ n: null }, /"n" is null/],
  [{ n: ['a'] }, /"n" is an array/],
  [{ n: { href: 'x' } }, /"n" is an object without a string "url"/],
  [{ n: { url: 5 } }, /without a string "url"/],
];

for (const [obj, why] of BAD_OBJECTS) {
  test(`object form refused: ${JSON.stringify(obj)}`, (t) => {
    const r = objectCmdline(obj);
    t.false(r.ok);
    if (!r.ok) t.regex(r.reason, why);
  });
}

const PREFIX = 'http://api.example/pixie/v1';

test('absoluteCmdline resolves URL arguments against <base>/v1 and keeps the text', (t) => {
  t.deepEqual(absoluteCmdline('console=ttyS0 ks={{ URL "ks.cfg" }} ign={{URL `/ign/x.json`}}  quiet', PREFIX), {
    ok: true,
    cmdline: 'console=ttyS0 ks={{ URL "http://api.example/pixie/ks.cfg" }} ign={{ URL "http://api.example/ign/x.json" }}  quiet',
  });
  t.deepEqual(absoluteCmdline('a={{ URL "https://x.example/a b" }}', PREFIX), { ok: true, cmdline: 'a={{ URL "https://x.example/a b" }}' });
  t.deepEqual(absoluteCmdline('plain words', PREFIX), { ok: true, cmdline: 'plain words' });
});

test('absoluteCmdline refuses ID (static mode only), syntax errors and bad URLs', (t) => {
  const id = absoluteCmdline('x={{ ID "./local" }}', PREFIX);
  t.false(id.ok);
  if (!id.ok) t.regex(id.reason, /API mode does not offer/);
  const syntax = absoluteCmdline('x={{ URL }}', PREFIX);
  t.false(syntax.ok);
  if (!syntax.ok) t.regex(syntax.reason, /line 1, column/);
  const url = absoluteCmdline('x={{ URL "%zz" }}', PREFIX);
  t.false(url.ok);
  if (!url.ok) t.regex(url.reason, /bad URL in the cmdline/);
});
