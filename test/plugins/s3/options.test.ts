import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { s3Options } from '../../../plugins/s3/options.js';
import { clientConfig } from '../../../plugins/s3/index.js';
import s3Plugin from '../../../plugins/s3/index.js';
import { testPixie } from '../../helpers/pixie.js';
import { isPixieError } from '../../../core/errors.js';

test('flag strings are accepted: booleans and numbers', (t) => {
  const o = s3Options.parse({ endpoint: 'http://127.0.0.1:9000', forcePathStyle: 'false', requestTimeoutMs: '2500', maxAttempts: '1' });
  t.false(o.forcePathStyle);
  t.is(o.requestTimeoutMs, 2500);
  t.is(o.maxAttempts, 1);
  t.true(s3Options.parse({ forcePathStyle: true }).forcePathStyle);
  t.true(s3Options.parse({ forcePathStyle: 'yes' }).forcePathStyle);
  t.false(s3Options.parse({}).forcePathStyle);
  const r = s3Options.parse({ redirect: true, redirectExpiresS: '900' });
  t.true(r.redirect);
  t.is(r.redirectExpiresS, 900);
  t.false(s3Options.parse({}).redirect);
  t.is(s3Options.parse({}).redirectExpiresS, 3600);
  t.false(s3Options.safeParse({ redirectExpiresS: 700_000 }).success, 'SigV4 presigned URLs live at most 7 days');
});

test('a region given is used as is; an endpoint turns off region redirects', async (t) => {
  const c = await clientConfig(s3Options.parse({ region: 'eu-west-3', endpoint: 'https://minio.lab:9000', forcePathStyle: true }));
  t.is(c.region, 'eu-west-3');
  t.is(c.endpoint, 'https://minio.lab:9000');
  t.true(c.forcePathStyle);
  t.false(c.followRegionRedirects);
  t.is(c.credentials, undefined, 'no credentials: the SDK chain finds them');
});

test('bad options stop start-up with PIXIE_ERR_PLUGIN_OPTIONS naming the option', async (t) => {
  for (const [opts, what] of [
    [{ endpoint: 'ftp://x' }, /endpoint/],
    [{ endpoint: 'not a url' }, /endpoint/],
    [{ forcePathStyle: 'maybe' }, /forcePathStyle/],
    [{ credentials: { accessKeyId: 'x' } }, /secretAccessKey/],
    [{ bucket: 'x' }, /bucket/],
  ] as const) {
    const pixie = testPixie({ plugins: [[s3Plugin, opts]] });
    const err = await t.throwsAsync(pixie.ready());
    t.true(isPixieError(err) && err.code === 'PIXIE_ERR_PLUGIN_OPTIONS', JSON.stringify(opts));
    t.regex(err.message, what);
    await pixie.stop();
  }
});

test.serial('without a region option the SDK chain decides (AWS_REGION, then the profile), else us-east-1', async (t) => {
  const saved = { ...process.env };
  t.teardown(() => {
    for (const k of ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_CONFIG_FILE', 'AWS_PROFILE']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });
  // A config file that does not exist: nothing from ~/.aws leaks into the test.
  process.env.AWS_CONFIG_FILE = '/nonexistent/pixie-test/aws-config';
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_DEFAULT_REGION;
  process.env.AWS_REGION = 'ap-southeast-2';
  t.is((await clientConfig(s3Options.parse({}))).region, 'ap-southeast-2');
  delete process.env.AWS_REGION;
  t.is((await clientConfig(s3Options.parse({}))).region, 'us-east-1');
  const dir = await mkdtemp(join(tmpdir(), 'pixie-aws-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  process.env.AWS_CONFIG_FILE = join(dir, 'config');
  await writeFile(process.env.AWS_CONFIG_FILE, '[profile lab]\nregion = eu-central-1\n');
  const c = await clientConfig(s3Options.parse({ profile: 'lab' }));
  t.is(c.region, 'eu-central-1');
  t.is(c.profile, 'lab');
});
