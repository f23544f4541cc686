import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HOOK_INFO, createHooks, type HookName } from '../../core/hooks.js';

const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'hooks.md'), 'utf8');

function section(name: string): string | undefined {
  const start = doc.indexOf(`## \`${name}\``);
  if (start < 0) return undefined;
  const next = doc.indexOf('\n## ', start + 1);
  return doc.slice(start, next < 0 ? undefined : next);
}

test('docs/hooks.md documents exactly the hooks of core/hooks.ts', (t) => {
  const documented = [...doc.matchAll(/^## `([^`]+)`/gm)].map((m) => m[1]);
  t.deepEqual(documented.sort(), Object.keys(HOOK_INFO).sort());
});

for (const name of Object.keys(HOOK_INFO) as HookName[]) {
  test(`docs/hooks.md matches core/hooks.ts for ${name}`, (t) => {
    const info = HOOK_INFO[name];
    const s = section(name);
    if (!s) return t.fail(`no section for ${name}`);
    t.regex(s, new RegExp(`- Kind: ${info.kind}\\n`));
    t.true(s.includes(`- Arguments: ${info.args.map((a) => `\`${a}\``).join(', ')}\n`), 'arguments differ');
    t.true(s.includes(`- Returns: \`${info.result}\`\n`), 'result differs');
  });
}

test('HOOK_INFO matches the hook instances createHooks() builds', (t) => {
  const hooks = createHooks();
  for (const [name, info] of Object.entries(HOOK_INFO)) {
    const h = hooks[name as HookName] as unknown as { constructor: { name: string }; _args: string[] };
    t.is(h.constructor.name, info.kind, name);
    t.deepEqual(h._args, info.args, name);
  }
});
