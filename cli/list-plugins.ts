/** `pixie plugins`: the built-ins, then pixie-plugin-* packages installed near the working directory. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BUILTINS } from '../core/builtins.js';

function installed(cwd: string): Array<{ name: string; version: string; description: string }> {
  const found = new Map<string, { name: string; version: string; description: string }>();
  for (let dir = cwd; ; dir = dirname(dir)) {
    const nm = join(dir, 'node_modules');
    if (existsSync(nm)) {
      const names: string[] = [];
      for (const e of readdirSync(nm)) {
        if (e.startsWith('pixie-plugin-')) names.push(e);
        else if (e.startsWith('@')) for (const s of readdirSync(join(nm, e))) if (s.startsWith('pixie-plugin-')) names.push(`${e}/${s}`);
      }
      for (const n of names) {
        if (found.has(n)) continue;
        try {
          const pj = JSON.parse(readFileSync(join(nm, n, 'package.json'), 'utf8')) as { version?: string; description?: string };
          found.set(n, { name: n, version: pj.version ?? '?', description: pj.description ?? '' });
        } catch {
          found.set(n, { name: n, version: '?', description: '(unreadable package.json)' });
        }
      }
    }
    if (dirname(dir) === dir) break;
  }
  return [...found.values()];
}

export async function listPlugins(cwd: string): Promise<string> {
  await Promise.resolve();
  const lines = ['Built-in plugins (use with --plugin NAME):'];
  const width = Math.max(12, ...Object.keys(BUILTINS).map((n) => n.length + 2));
  for (const [name, b] of Object.entries(BUILTINS)) lines.push(`  ${name.padEnd(width)}${b.description}`);
  const pkgs = installed(cwd);
  lines.push('', pkgs.length ? 'Installed plugin packages:' : 'Installed plugin packages: none (npm install pixie-plugin-NAME, then --plugin NAME)');
  for (const p of pkgs) lines.push(`  ${p.name}@${p.version}  ${p.description}`);
  lines.push('', 'Any file exporting definePlugin({...}) also works: --plugin ./my-plugin.js');
  return `${lines.join('\n')}\n`;
}
