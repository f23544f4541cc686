import test from 'ava';
import { join } from 'node:path';
import { definePlugin } from '../../core/plugin.js';
import { loadConfig } from '../../core/config.js';
import { createPixie } from '../../core/pixie.js';
import { PixieError } from '../../core/errors.js';
import { z } from 'zod';
import { testPixie, sampleMachine, OFFLINE } from '../helpers/pixie.js';
import { logSink } from '../helpers/log.js';

const root = join(import.meta.dirname, '..', '..');
const example = join(root, 'examples', 'custom-plugin');

const fixed = (name: string, answer: unknown) =>
  definePlugin({
    name,
    setup(ctx) {
      ctx.tap('boot:decide', async () => answer as never);
    },
  });

test('a plugin loaded by path taps boot:decide and its BootSpec comes back', async (t) => {
  const pixie = testPixie({ plugins: ['./examples/custom-plugin/lab-rack.js'] }, root);
  await pixie.ready();
  t.true(pixie.plugins.includes('lab-rack'));
  const spec = await pixie.decide(sampleMachine());
  t.deepEqual(spec, { kernel: './vmlinuz', initrd: ['./initrd.gz'], cmdline: 'console=ttyS0 profile=install' });
  t.is(await pixie.decide(sampleMachine({ mac: '52:54:00:00:00:01' })), null);
  await pixie.stop();
});

test('the same plugin listed in pixie.config.js decides with the options given there', async (t) => {
  const { config, baseDir, filepath } = await loadConfig({ cwd: example, overrides: OFFLINE });
  t.is(filepath, join(example, 'pixie.config.js'));
  const pixie = createPixie(config, { log: logSink().log, baseDir });
  await pixie.ready();
  const spec = await pixie.decide(sampleMachine({ mac: '52:54:00:ab:cd:ef' }));
  t.is(spec?.cmdline, 'console=ttyS0 profile=rescue');
  await pixie.stop();
});

test('with two plugins the first that answers wins (bail)', async (t) => {
  const pixie = testPixie({ plugins: [fixed('silent', undefined), fixed('first', { kernel: 'a' }), fixed('second', { kernel: 'b' })] });
  await pixie.ready();
  t.deepEqual(await pixie.decide(sampleMachine()), { kernel: 'a' });
  t.deepEqual(pixie.plugins.slice(-3), ['silent', 'first', 'second']);
});

test('a plugin returning null makes the machine ignored, even if a later one would boot it', async (t) => {
  const pixie = testPixie({ plugins: [fixed('deny', null), fixed('allow', { kernel: 'b' })] });
  const ignored: string[] = [];
  pixie.events.on('boot:ignored', (e) => void ignored.push(e.reason));
  await pixie.ready();
  t.is(await pixie.decide(sampleMachine()), null);
  t.deepEqual(ignored, ['a plugin chose to ignore it']);
});

test('no plugin answering means ignored', async (t) => {
  const pixie = testPixie({ plugins: [fixed('silent', undefined)] });
  await pixie.ready();
  t.is(await pixie.decide(sampleMachine()), null);
});

test('a throwing tap ignores the machine, names the plugin in the log, and does not break pixie', async (t) => {
  const boom = definePlugin({
    name: 'boom',
    setup(ctx) {
      ctx.tap('boot:decide', async () => {
        throw new Error('database down');
      });
    },
  });
  const pixie = testPixie({ plugins: [boom] });
  await pixie.ready();
  await t.throwsAsync(pixie.decide(sampleMachine()), { message: /plugin "boom" failed in hook boot:decide: database down/ });
  t.regex(pixie.sink.text(), /boot decision failed, machine ignored: plugin "boom" failed in hook boot:decide: database down/);
  t.is(await pixie.decide(sampleMachine({ mac: '52:54:00:00:00:09' })).catch(() => 'still answering'), 'still answering');
});

test('decisions are cached per machine, and concurrent asks share one call', async (t) => {
  let calls = 0;
  const slow = definePlugin({
    name: 'slow',
    setup(ctx) {
      ctx.tap('boot:decide', async () => {
        calls++;
        await new Promise((r) => setTimeout(r, 20));
        return { kernel: 'k' };
      });
    },
  });
  const pixie = testPixie({ plugins: [slow] });
  await pixie.ready();
  await Promise.all([pixie.decide(sampleMachine()), pixie.decide(sampleMachine())]);
  await pixie.decide(sampleMachine({ stage: 'ipxe' }));
  t.is(calls, 1);
  await pixie.decide(sampleMachine({ mac: '52:54:00:00:00:02' }));
  t.is(calls, 2);
  const nocache = testPixie({ plugins: [slow], decisionCacheMs: 0 });
  await nocache.ready();
  calls = 0;
  await nocache.decide(sampleMachine());
  await nocache.decide(sampleMachine());
  t.is(calls, 2);
});

test('unknown plugin: one error listing everything tried', async (t) => {
  const pixie = testPixie({ plugins: ['no-such-thing'] });
  const err = await t.throwsAsync(pixie.ready(), { instanceOf: PixieError });
  t.is(err.code, 'PIXIE_ERR_PLUGIN_LOAD');
  t.regex(err.message, /Unknown plugin "no-such-thing"\. Tried: built-in \(.*\); npm package pixie-plugin-no-such-thing; path .*no-such-thing/);
});

test('scoped names try @scope/pixie-plugin-NAME first', async (t) => {
  const err = await t.throwsAsync(testPixie({ plugins: ['@acme/thing'] }).ready());
  t.regex(err.message, /npm package @acme\/pixie-plugin-thing; npm package @acme\/thing/);
});

test('bad plugin options name the plugin, the option, the value and the rule', async (t) => {
  const p = definePlugin({ name: 'picky', options: z.object({ retries: z.number().int().max(5) }).strict(), setup() {} });
  const err = await t.throwsAsync(testPixie({ plugins: [[p, { retries: 9 }]] }).ready(), { instanceOf: PixieError });
  t.is(err.code, 'PIXIE_ERR_PLUGIN_OPTIONS');
  t.regex(err.message, /plugin "picky": "retries" is 9: Too big/);
});

test('dependsOn is checked and setup timeouts name the plugin', async (t) => {
  const needy = definePlugin({ name: 'needy', dependsOn: ['base'], setup() {} });
  const e1 = await t.throwsAsync(testPixie({ plugins: [needy] }).ready());
  t.regex(e1.message, /"needy" needs plugin "base"/);
  const hang = definePlugin({ name: 'hang', setupTimeoutMs: 50, setup: () => new Promise(() => undefined) });
  const e2 = await t.throwsAsync(testPixie({ plugins: [hang] }).ready());
  t.regex(e2.message, /Plugin "hang" did not finish setup\(\) within 50 ms/);
});

test('onClose handlers run in reverse order on stop', async (t) => {
  const order: string[] = [];
  const mk = (name: string) => definePlugin({ name, setup: (ctx) => ctx.onClose(() => void order.push(name)) });
  const pixie = testPixie({ plugins: [mk('a'), mk('b'), mk('c')] });
  await pixie.ready();
  await pixie.stop();
  t.deepEqual(order, ['c', 'b', 'a']);
});

test('two instances in one process do not share hooks, plugins or caches', async (t) => {
  const a = testPixie({ plugins: [fixed('x', { kernel: 'from-a' })] });
  const b = testPixie({ plugins: [fixed('x', { kernel: 'from-b' })] });
  await Promise.all([a.ready(), b.ready()]);
  t.is((await a.decide(sampleMachine()))?.kernel, 'from-a');
  t.is((await b.decide(sampleMachine()))?.kernel, 'from-b');
  t.is(a.hooks['boot:decide'].taps.length, 1);
});

test('a tap can ask that a passing failure not be cached; the next step asks again', async (t) => {
  let calls = 0;
  const flaky = definePlugin({
    name: 'flaky',
    setup(ctx) {
      ctx.tap('boot:decide', async (machine) => {
        calls++;
        if (calls === 1) {
          ctx.core.dontCache(machine);
          return null;
        }
        return { kernel: 'k' };
      });
    },
  });
  const pixie = testPixie({ plugins: [flaky] });
  await pixie.ready();
  t.is(await pixie.decide(sampleMachine()), null);
  t.deepEqual(await pixie.decide(sampleMachine()), { kernel: 'k' });
  t.deepEqual(await pixie.decide(sampleMachine()), { kernel: 'k' });
  t.is(calls, 2);
});
