#!/usr/bin/env node
// Many small TFTP reads at once, as a rack of PXE ROMs fetching their boot file:
//   node bench/tftp-load.mjs <server> <file> <count> <concurrency> [blksize]
// Runs <count> lock-step reads, <concurrency> in flight, each as a PXE ROM does it: RRQ with
// tsize and blksize (RFC 2347/2348/2349), ACK 0 for the OACK, an ACK per block (the last
// one too, sent before the socket closes), the last packet again after a quiet second.
// Its own small client on purpose, apart from pixie's codec. Prints one JSON line:
// files, bytes, seconds, filesPerSec, failures, firstError.
import dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { clearInterval, setInterval } from 'node:timers';

const [server, file, countArg = '1000', concArg = '50', blkArg = '1468'] = process.argv.slice(2);
const count = Number(countArg);
const concurrency = Number(concArg);
const blksize = Number(blkArg);
const RRQ = Buffer.from(`\0\x01${file}\0octet\0tsize\x000\0blksize\0${blksize}\0`, 'latin1');
const ack = (block) => Buffer.from([0, 4, (block >> 8) & 0xff, block & 0xff]);

/** One read; resolves with its byte count, rejects on an ERROR or 5 quiet seconds. */
function get() {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4');
    let peer = 0;
    let want = 512;
    let expect = 1;
    let bytes = 0;
    let last = RRQ;
    let quiet = 0;
    const end = (err) => {
      clearInterval(tick);
      sock.close();
      if (err) reject(err);
      else resolve(bytes);
    };
    const send = (buf, cb) => {
      last = buf;
      sock.send(buf, peer || 69, server, cb);
    };
    const tick = setInterval(() => (++quiet > 5 ? end(new Error(`no answer for 5 s at block ${expect}`)) : sock.send(last, peer || 69, server)), 1000);
    sock.on('error', end);
    sock.on('message', (msg, rinfo) => {
      if (rinfo.address !== server || msg.length < 4) return;
      if (!peer) peer = rinfo.port;
      else if (rinfo.port !== peer) return;
      quiet = 0;
      const op = msg[1];
      if (op === 5) return end(new Error(`TFTP error ${msg.readUInt16BE(2)}: ${msg.subarray(4).toString('latin1').replace(/\0.*$/s, '')}`));
      if (op === 6) {
        const f = msg.subarray(2).toString('latin1').split('\0');
        for (let i = 0; i + 1 < f.length; i += 2) if (f[i].toLowerCase() === 'blksize') want = Number(f[i + 1]);
        if (expect === 1) send(ack(0));
        return;
      }
      if (op !== 3) return;
      const block = msg.readUInt16BE(2);
      if (block === (expect & 0xffff)) {
        bytes += msg.length - 4;
        expect += 1;
        if (msg.length - 4 < want) send(ack(block), () => end());
        else send(ack(block));
      } else if (block === ((expect - 1) & 0xffff)) {
        sock.send(ack(block), peer, server);
      }
    });
    sock.bind(0, () => send(RRQ));
  });
}

let started = 0;
let files = 0;
let bytes = 0;
let failures = 0;
let firstError = '';
const t0 = performance.now();
async function worker() {
  while (started < count) {
    started += 1;
    try {
      const n = await get();
      bytes += n;
      files += 1;
    } catch (e) {
      failures += 1;
      firstError ||= e.message;
    }
  }
}
await Promise.all(Array.from({ length: concurrency }, worker));
const seconds = (performance.now() - t0) / 1000;
process.stdout.write(`${JSON.stringify({ files, bytes, seconds, filesPerSec: files / seconds, failures, firstError })}\n`);
