/** Turn a zod failure into one readable paragraph: key, bad value, what is allowed. */
import type { z } from 'zod';

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur = input;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[k];
  }
  return cur;
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'function') return 'a function';
  try {
    const s = JSON.stringify(v);
    return s.length > 60 ? `${s.slice(0, 57)}...` : s;
  } catch {
    return typeof v === 'object' ? 'an object' : typeof v === 'bigint' ? `${v}n` : typeof v === 'symbol' ? v.toString() : 'a value';
  }
}

export function formatIssues(error: z.ZodError, input: unknown, prefix = ''): string {
  return error.issues
    .map((issue) => {
      const key = [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(root)';
      if (issue.code === 'unrecognized_keys') {
        return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${[key === '(root)' ? '' : key, k].filter(Boolean).join('.')}"`).join(', ')}`;
      }
      return `"${key}" is ${show(valueAt(input, issue.path))}: ${issue.message}`;
    })
    .join('; ');
}
