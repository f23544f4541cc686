import test from 'ava';
import { webhookOptions, DEFAULT_EVENTS } from '../../../plugins/webhook/options.js';
import webhook from '../../../plugins/webhook/index.js';
import { testPixie } from '../../helpers/pixie.js';
import { isPixieError } from '../../../core/errors.js';

test('flag forms: URL lists, comma-separated events, numbers as strings', (t) => {
  const o = webhookOptions.parse({ urls: ['http://a.lab/h', 'https://b.lab/h'], events: 'boot:decided, machine:booted', timeoutMs: '250', maxQueue: '7' });
  t.deepEqual(o.urls, ['http://a.lab/h', 'https://b.lab/h']);
  t.deepEqual(o.events, ['boot:decided', 'machine:booted']);
  t.is(o.timeoutMs, 250);
  t.is(o.maxQueue, 7);
  t.deepEqual(webhookOptions.parse({ urls: 'http://a.lab/h' }).events, [...DEFAULT_EVENTS]);
  t.deepEqual(webhookOptions.parse({ urls: 'http://a.lab/h', events: ['*'] }).events, ['*']);
});

test('bad options stop start-up with PIXIE_ERR_PLUGIN_OPTIONS naming the problem', async (t) => {
  for (const [opts, what] of [
    [{}, /urls/],
    [{ urls: [] }, /at least one URL/],
    [{ urls: ['ftp://x/'] }, /http/],
    [{ urls: ['http://x/'], events: ['boot:decidd'] }, /unknown event "boot:decidd"/],
    [{ urls: ['http://x/'], timeoutMs: 'soon' }, /timeoutMs/],
    [{ urls: ['http://x/'], token: 'x' }, /token/],
  ] as const) {
    const pixie = testPixie({ plugins: [[webhook, opts]] });
    const err = await t.throwsAsync(pixie.ready());
    t.true(isPixieError(err) && err.code === 'PIXIE_ERR_PLUGIN_OPTIONS', JSON.stringify(opts));
    t.regex(err.message, what);
    await pixie.stop();
  }
});
