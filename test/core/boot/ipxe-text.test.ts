import test from 'ava';
import fc from 'fast-check';
import { ipxeArgs, ipxeEcho, ipxeWord } from '../../../core/boot/ipxe-text.js';
import { PixieError } from '../../../core/errors.js';

test('words iPXE would treat as terminators or comments are prefixed with ${}', (t) => {
  t.is(ipxeWord('#x'), '${}#x');
  t.is(ipxeWord('||'), '${}||');
  t.is(ipxeWord('&&'), '${}&&');
  t.is(ipxeWord(';'), '${};');
  t.is(ipxeWord('a#b'), 'a#b');
  t.is(ipxeWord('a;'), 'a;');
  t.is(ipxeWord('${net0/mac}'), '${net0/mac}');
});

test('ipxeArgs collapses spaces and tabs the way iPXE rebuilds a command line', (t) => {
  t.is(ipxeArgs('  console=ttyS0 \t quiet  ', 'cmdline'), 'console=ttyS0 quiet');
  t.is(ipxeArgs('a # b ; c', 'cmdline'), 'a ${}# b ${}; c');
  t.is(ipxeArgs('', 'cmdline'), '');
});

test('ipxeArgs refuses control characters and names the field', (t) => {
  for (const s of ['a\nb', 'a\rb', 'a\u0000b', 'a\u001bb', 'a\u007fb']) {
    const err = t.throws(() => ipxeArgs(s, 'cmdline'), { instanceOf: PixieError });
    t.is(err.code, 'PIXIE_ERR_TEMPLATE');
    t.regex(err.message, /^Invalid cmdline: it contains control character 0x[0-9a-f]{2} at offset 1/);
  }
});

test('ipxeEcho: one echo per line, leading dash protected, control characters dropped', (t) => {
  t.deepEqual(ipxeEcho('Hello #1\n\n-v mode\u0007'), ['echo Hello ${}#1', 'echo', 'echo -- -v mode']);
});

test('no output of ipxeArgs contains a terminator or comment word (property)', (t) => {
  const word = fc.constantFrom('#', '#a', '||', '&&', ';', 'a', 'x=y', '${x}', '-', '--');
  fc.assert(
    fc.property(fc.array(word, { maxLength: 12 }), fc.constantFrom(' ', '\t', '  '), (words, sep) => {
      const out = ipxeArgs(words.join(sep), 'cmdline');
      for (const w of out.split(' ').filter(Boolean)) {
        t.false(w.startsWith('#') || w === '||' || w === '&&' || w === ';', w);
      }
      // Removing the "${}" guards gives back the words.
      t.is(out.replaceAll('${}', ''), words.join(' ').split(/ +/).filter(Boolean).join(' '));
    }),
  );
});
