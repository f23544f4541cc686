import test from 'ava';
import { isS3Ref, parseS3Ref, formatS3Ref } from '../../../plugins/s3/ref.js';

test('s3://bucket/key splits at the first slash; the key is taken literally', (t) => {
  t.deepEqual(parseS3Ref('s3://boot/debian/12/vmlinuz'), { bucket: 'boot', key: 'debian/12/vmlinuz' });
  t.deepEqual(parseS3Ref('S3://boot/a b%20c+d'), { bucket: 'boot', key: 'a b%20c+d' });
  t.deepEqual(parseS3Ref('s3://my.bucket-1//double'), { bucket: 'my.bucket-1', key: '/double' });
  t.is(formatS3Ref({ bucket: 'boot', key: 'k/v' }), 's3://boot/k/v');
});

test('malformed references give a reason, never throw', (t) => {
  t.regex((parseS3Ref('s3://boot') as { error: string }).error, /no object key/);
  t.regex((parseS3Ref('s3://boot/') as { error: string }).error, /no object key/);
  t.regex((parseS3Ref('s3:///key') as { error: string }).error, /invalid bucket/);
  t.regex((parseS3Ref('s3://bu?cket/key') as { error: string }).error, /invalid bucket/);
  t.regex((parseS3Ref('s3:boot/key') as { error: string }).error, /expected s3:\/\/bucket\/key/);
  t.regex((parseS3Ref('http://boot/key') as { error: string }).error, /expected/);
});

test('isS3Ref matches the scheme only', (t) => {
  t.true(isS3Ref('s3://a/b'));
  t.true(isS3Ref('S3:broken'));
  t.false(isS3Ref('./s3://a'));
  t.false(isS3Ref('https://s3.amazonaws.com/a/b'));
});
