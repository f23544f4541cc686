import test from 'ava';
import { apiPrefix, bootRequestUrl, removeDotSegments, resolveUrl } from '../../../plugins/api/url.js';

const ok = (base: string, ref: string) => {
  const r = resolveUrl(base, ref);
  if (!r.ok) throw new Error(r.reason);
  return r.url;
};

// RFC 3986 §5.4.1 and §5.4.2, base "http://a/b/c/d;p?q".
const RFC_BASE = 'http://a/b/c/d;p?q';
const RFC_EXAMPLES: Array<[string, string]> = [
  ['g:h', 'g:h'],
  ['g', 'http://a/b/c/g'],
  ['./g', 'http://a/b/c/g'],
  ['g/', 'http://a/b/c/g/'],
  ['/g', 'http://a/g'],
  ['//g', 'http://g'],
  ['?y', 'http://a/b/c/d;p?y'],
  ['g?y', 'http://a/b/c/g?y'],
  ['#s', 'http://a/b/c/d;p?q#s'],
  ['g#s', 'http://a/b/c/g#s'],
  ['g?y#s', 'http://a/b/c/g?y#s'],
  [';x', 'http://a/b/c/;x'],
  ['g;x', 'http://a/b/c/g;x'],
  ['g;x?y#s', 'http://a/b/c/g;x?y#s'],
  ['', 'http://a/b/c/d;p?q'],
  ['.', 'http://a/b/c/'],
  ['./', 'http://a/b/c/'],
  ['..', 'http://a/b/'],
  ['../', 'http://a/b/'],
  ['../g', 'http://a/b/g'],
  ['../..', 'http://a/'],
  ['../../', 'http://a/'],
  ['../../g', 'http://a/g'],
  ['../../../g', 'http://a/g'],
  ['../../../../g', 'http://a/g'],
  ['/./g', 'http://a/g'],
  ['/../g', 'http://a/g'],
  ['g.', 'http://a/b/c/g.'],
  ['.g', 'http://a/b/c/.g'],
  ['g..', 'http://a/b/c/g..'],
  ['..g', 'http://a/b/c/..g'],
  ['./../g', 'http://a/b/g'],
  ['./g/.', 'http://a/b/c/g/'],
  ['g/./h', 'http://a/b/c/g/h'],
  ['g/../h', 'http://a/b/c/h'],
  ['g;x=1/./y', 'http://a/b/c/g;x=1/y'],
  ['g;x=1/../y', 'http://a/b/c/y'],
  ['g?y/./x', 'http://a/b/c/g?y/./x'],
  ['g?y/../x', 'http://a/b/c/g?y/../x'],
  ['g#s/./x', 'http://a/b/c/g#s/./x'],
  ['g#s/../x', 'http://a/b/c/g#s/../x'],
  ['http:g', 'http:g'],
];

for (const [ref, want] of RFC_EXAMPLES) {
  test(`RFC 3986 §5.4: "${ref}" → ${want}`, (t) => {
    t.is(ok(RFC_BASE, ref), want);
  });
}

// What a Pixiecore API author sees: relative URLs resolve against <base>/v1.
const PREFIX = apiPrefix('http://api.example:4242/pixie');
const PIXIECORE_CASES: Array<[string, string]> = [
  ['/boot/vmlinuz', 'http://api.example:4242/boot/vmlinuz'],
  ['vmlinuz', 'http://api.example:4242/pixie/vmlinuz'],
  ['./initrd.img', 'http://api.example:4242/pixie/initrd.img'],
  ['v1/files/k', 'http://api.example:4242/pixie/v1/files/k'],
  ['../other/k', 'http://api.example:4242/other/k'],
  ['//cdn.example/k', 'http://cdn.example/k'],
  ['https://mirror.example/debian/linux', 'https://mirror.example/debian/linux'],
  ['HTTPS://Mirror.Example/x', 'https://Mirror.Example/x'],
  ['file:///srv/boot/vmlinuz', 'file:///srv/boot/vmlinuz'],
  ['s3://bucket/kernel', 's3://bucket/kernel'],
  ['k?token=a%20b', 'http://api.example:4242/pixie/k?token=a%20b'],
];

for (const [ref, want] of PIXIECORE_CASES) {
  test(`against <base>/v1: "${ref}" → ${want}`, (t) => {
    t.is(ok(PREFIX, ref), want);
  });
}

const BAD: Array<[string, RegExp]> = [
  ['%zz/kernel', /%XX escape/],
  ['kern%4', /%XX escape/],
  ['1a:b/c', /first path segment contains ":"/],
  [':nothing', /no scheme/],
  ['http://host:port/k', /port "port" is not a number/],
  ['http://[::1/k', /IPv6 host/],
  ['ker\nnel', /control character/],
];

for (const [ref, why] of BAD) {
  test(`refused: ${JSON.stringify(ref)}`, (t) => {
    const r = resolveUrl(PREFIX, ref);
    t.false(r.ok);
    if (!r.ok) t.regex(r.reason, why);
  });
}

test('apiPrefix appends "/" only when missing, then v1 (Pixiecore concatenates strings)', (t) => {
  t.is(apiPrefix('http://h:4242'), 'http://h:4242/v1');
  t.is(apiPrefix('http://h:4242/'), 'http://h:4242/v1');
  t.is(apiPrefix('http://h/api/'), 'http://h/api/v1');
  t.is(apiPrefix('http://h/api?k=1'), 'http://h/api?k=1/v1');
});

test('bootRequestUrl: <prefix>/boot/<mac>, optional arch/firmware query', (t) => {
  t.is(bootRequestUrl('http://h/v1', 'aa:bb:cc:dd:ee:ff'), 'http://h/v1/boot/aa:bb:cc:dd:ee:ff');
  t.is(bootRequestUrl('http://h/v1', 'aa:bb:cc:dd:ee:ff', { arch: 'x64', firmware: 'efi' }), 'http://h/v1/boot/aa:bb:cc:dd:ee:ff?arch=x64&firmware=efi');
  t.is(bootRequestUrl('http://h/?k=1/v1', 'aa:bb:cc:dd:ee:ff', { arch: 'arm64' }), 'http://h/?k=1/v1/boot/aa:bb:cc:dd:ee:ff&arch=arm64');
});

test('removeDotSegments keeps the root of absolute paths', (t) => {
  t.is(removeDotSegments('/a/b/../../../c'), '/c');
  t.is(removeDotSegments('/a/./b/.'), '/a/b/');
  t.is(removeDotSegments('a/b/../c'), 'a/c');
});
