import test from 'ava';
import fc from 'fast-check';
import { parseTemplate, renderCmdline, renderTemplate, positionOf } from '../../../core/boot/template.js';
import { PixieError } from '../../../core/errors.js';

const url = (ref: string) => `<${ref}>`;

test('ID and URL become URLs; text stays as written', (t) => {
  t.is(renderCmdline('console=ttyS0 a={{ ID "./a.yml" }} b={{URL "http://x/b"}}', url), 'console=ttyS0 a=<./a.yml> b=<http://x/b>');
  t.is(renderCmdline('{{ID "x"}}', url), '<x>');
  t.is(renderCmdline('no actions } here {', url), 'no actions } here {');
});

test('whitespace inside actions is free, including newlines and tabs', (t) => {
  t.is(renderCmdline('a={{\t ID\n  "f"  \n}}', url), 'a=<f>');
});

test('backtick raw strings and Go escapes', (t) => {
  t.is(renderCmdline('{{ ID `C:\\dir\\f` }}', url), '<C:\\dir\\f>');
  t.is(renderCmdline('{{ ID "a\\"b\\\\c\\x41\\u00e9\\101" }}', url), '<a"b\\cAéA>');
  t.is(renderCmdline('{{ ID "\\U0001F600" }}', url), '<\u{1F600}>');
});

test('trim markers remove the whitespace next to an action', (t) => {
  const parsed = parseTemplate('a   {{- ID "x" -}}   b');
  t.is(renderTemplate(parsed, { call: (_f, r) => r }), 'axb');
});

test('the result is trimmed', (t) => {
  t.is(renderCmdline('  quiet  ', url), 'quiet');
});

test('a newline left after expansion is an error', (t) => {
  const err = t.throws(() => renderCmdline('a\nb', url), { instanceOf: PixieError });
  t.is(err.code, 'PIXIE_ERR_TEMPLATE');
  t.regex(err.message, /newline/);
  // Newlines inside an action are just whitespace.
  t.is(renderCmdline('x={{\nID "f"\n}}', url), 'x=<f>');
});

const bad: Array<[string, RegExp]> = [
  ['x={{ ID }}', /line 1, column 9: expected a quoted string/],
  ['x={{ ID x }}', /expected a quoted string .* found "x"/],
  ['x={{ ID "a" "b" }}', /expected "}}" to close the action/],
  ['x={{ ID "a"', /expected "}}"/],
  ['x={{ ID "a }}', /unterminated string/],
  ['x={{ ID `a }}', /unterminated raw string/],
  ['x={{ Foo "a" }}', /line 1, column 6: unknown function Foo/],
  ['x={{ .Kernel }}', /variables such as .Kernel are not available here/],
  ['x={{ }}', /expected ID "…", URL "…" after "{{", found "}}"/],
  ['x={{ ID "" }}', /needs a non-empty file reference/],
  ['x={{ ID "\\q" }}', /unknown escape \\q/],
  ['x={{ ID "\\x4" }}', /needs 2 hex digits/],
  ['x={{ ID"a" }}', /expected a space and a quoted string after ID/],
  ['a\nb {{ ID "a" }} {{ bad }}', /line 2, column 19: unknown function bad/],
];
for (const [src, msg] of bad) {
  test(`rejects ${JSON.stringify(src)}`, (t) => {
    const err = t.throws(() => parseTemplate(src, { what: 'cmdline template' }), { instanceOf: PixieError });
    t.is(err.code, 'PIXIE_ERR_TEMPLATE');
    t.regex(err.message, /^Invalid cmdline template at line \d+, column \d+: /);
    t.regex(err.message, msg);
  });
}

test('variables are allowed only when listed', (t) => {
  const p = parseTemplate('#!ipxe\n{{ .Boot }} {{.MAC}}', { variables: ['Boot', 'MAC'] });
  t.is(renderTemplate(p, { call: () => '', variable: (n) => `[${n}]` }), '#!ipxe\n[Boot] [MAC]');
  t.throws(() => parseTemplate('{{ .Nope }}', { variables: ['Boot'] }), { message: /unknown variable .Nope \(known: .Boot\)/ });
});

test('refs lists every referenced file in order', (t) => {
  t.deepEqual(parseTemplate('{{ ID "a" }} {{ URL "b" }} {{ ID "a" }}').refs, ['a', 'b', 'a']);
});

test('positionOf counts lines and columns from 1', (t) => {
  t.is(positionOf('ab\ncd', 4), 'line 2, column 2');
  t.is(positionOf('', 0), 'line 1, column 1');
});

test('text without "{{" renders to itself (property)', (t) => {
  fc.assert(
    fc.property(fc.string().filter((s) => !s.includes('{{')), (s) => {
      t.is(renderTemplate(parseTemplate(s), { call: () => 'X' }), s);
    }),
  );
});

test('any double-quoted JSON-safe string round-trips through ID (property)', (t) => {
  fc.assert(
    fc.property(fc.string({ minLength: 1 }).filter((s) => !/[\u0000-\u001f\u007f\u2028\u2029]/.test(s) && !/[\ud800-\udfff]/.test(s)), (ref) => {
      const src = `{{ ID ${JSON.stringify(ref)} }}`;
      t.deepEqual(parseTemplate(src).refs, [ref]);
    }),
  );
});

test('parsing never throws anything but PixieError (property)', (t) => {
  fc.assert(
    fc.property(fc.string(), (s) => {
      try {
        parseTemplate(`{{${s}`);
      } catch (err) {
        t.true(err instanceof PixieError);
      }
    }),
  );
});
