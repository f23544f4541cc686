import test from 'ava';
import { negotiate } from '../../../core/tftp/options.js';

const limits = { maxBlksize: 1468, maxWindowsize: 16 };
const opts = (...pairs: Array<[string, string]>) => pairs.map(([name, value]) => ({ name, value }));

test('no options: RFC 1350 defaults and no OACK', (t) => {
  t.deepEqual(negotiate([], limits, 100), { blksize: 512, windowsize: 1, timeoutS: undefined, tsize: undefined, oack: [] });
});

test('accepted options are echoed in request order with the chosen values', (t) => {
  const n = negotiate(opts(['tsize', '0'], ['blksize', '1468'], ['timeout', '6'], ['windowsize', '16']), limits, 4242);
  t.is(n.blksize, 1468);
  t.is(n.windowsize, 16);
  t.is(n.timeoutS, 6);
  t.is(n.tsize, 4242);
  t.deepEqual(n.oack, opts(['tsize', '4242'], ['blksize', '1468'], ['timeout', '6'], ['windowsize', '16']));
});

test('blksize: clamped to our maximum, smaller values granted, below 8 ignored (RFC 2348)', (t) => {
  t.is(negotiate(opts(['blksize', '65464']), limits, 1).blksize, 1468);
  t.is(negotiate(opts(['blksize', '99999']), limits, 1).blksize, 1468);
  t.deepEqual(negotiate(opts(['blksize', '8']), limits, 1).oack, opts(['blksize', '8']));
  t.deepEqual(negotiate(opts(['blksize', '7']), limits, 1), { blksize: 512, windowsize: 1, timeoutS: undefined, tsize: undefined, oack: [] });
  t.is(negotiate(opts(['blksize', '65464']), { maxBlksize: 65464, maxWindowsize: 1 }, 1).blksize, 65464);
});

test('timeout: 1..255 echoed unchanged, anything else ignored (RFC 2349)', (t) => {
  t.is(negotiate(opts(['timeout', '1']), limits, 1).timeoutS, 1);
  t.is(negotiate(opts(['timeout', '255']), limits, 1).timeoutS, 255);
  t.deepEqual(negotiate(opts(['timeout', '0']), limits, 1).oack, []);
  t.deepEqual(negotiate(opts(['timeout', '256']), limits, 1).oack, []);
});

test('tsize: answered only when the size is known', (t) => {
  t.deepEqual(negotiate(opts(['tsize', '0']), limits, 0).oack, opts(['tsize', '0']));
  t.deepEqual(negotiate(opts(['tsize', '0']), limits, undefined).oack, []);
});

test('windowsize: clamped to our maximum, 0 or above 65535 ignored (RFC 7440)', (t) => {
  t.is(negotiate(opts(['windowsize', '64']), limits, 1).windowsize, 16);
  t.is(negotiate(opts(['windowsize', '4']), limits, 1).windowsize, 4);
  t.deepEqual(negotiate(opts(['windowsize', '0']), limits, 1).oack, []);
  t.deepEqual(negotiate(opts(['windowsize', '65536']), limits, 1).oack, []);
  t.is(negotiate(opts(['windowsize', '65535']), { maxBlksize: 512, maxWindowsize: 65535 }, 1).windowsize, 32768);
});

test('unknown options, non-numeric values and repeats are ignored (RFC 2347)', (t) => {
  const n = negotiate(opts(['multicast', ''], ['blksize', '0x400'], ['blksize', ' 1024'], ['tsize', '-1'], ['windowsize', '8'], ['windowsize', '2']), limits, 10);
  t.deepEqual(n.oack, opts(['windowsize', '8']));
  t.is(n.blksize, 512);
});
