// A lock-step TFTP read for the boot-storm simulator, as a PXE ROM does it: RRQ with
// tsize and blksize (RFC 1350, options RFC 2347/2348/2349), ACK every block, retransmit
// the last ACK (or the RRQ) when the server stays quiet for 1, 2, then 4 s, and give up
// after 8 s more (backing off as firmware TFTP clients do; iPXE doubles its timeout up
// to 10 s). Counts bytes;
// keeps no data.
import dgram from 'node:dgram';
import { clearTimeout, setTimeout } from 'node:timers';

const RRQ = 1;
const DATA = 3;
const ACK = 4;
const ERROR = 5;
const OACK = 6;

function rrq(file, blksize) {
  const parts = [file, 'octet', 'tsize', '0', 'blksize', String(blksize)];
  const body = Buffer.from(parts.map((p) => `${p}\0`).join(''), 'latin1');
  const out = Buffer.alloc(2 + body.length);
  out.writeUInt16BE(RRQ, 0);
  body.copy(out, 2);
  return out;
}

function ack(block) {
  const b = Buffer.alloc(4);
  b.writeUInt16BE(ACK, 0);
  b.writeUInt16BE(block & 0xffff, 2);
  return b;
}

/**
 * Fetches `file` from `server`:69. Resolves with the byte count; rejects on a TFTP
 * error, when the server stays quiet after `retries` retransmissions (15 s of silence by
 * default), or when `timeoutMs` passes.
 */
export function tftpGet(server, file, { blksize = 1468, timeoutMs = 30_000, retries = 3 } = {}) {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4');
    let peerPort = 0;
    let wanted = 512;
    let expect = 1; // next DATA block (1-based count, compared modulo 2^16)
    let bytes = 0;
    let last = rrq(file, blksize);
    let lastPort = 69;
    let quiet = 0; // retransmissions since the last packet from the server
    let tick;
    let done = false;
    const finish = (err, value, lastAck) => {
      if (done) return;
      done = true;
      clearTimeout(tick);
      clearTimeout(overall);
      if (err) reject(err);
      else resolve(value);
      // The final ACK must leave before the socket closes (a close cancels queued sends),
      // or the server retransmits its last block into a closed port.
      if (lastAck) sock.send(lastAck, peerPort, server, () => sock.close());
      else sock.close();
    };
    const send = (buf, port) => {
      last = buf;
      lastPort = port;
      sock.send(buf, port, server);
    };
    const arm = () => {
      clearTimeout(tick);
      tick = setTimeout(() => {
        if (quiet >= retries) {
          finish(new Error(`tftp: no answer for ${2 ** (retries + 1) - 1} s, ${retries} retransmissions (block ${expect}, ${bytes} bytes)`));
          return;
        }
        quiet += 1;
        sock.send(last, lastPort, server);
        arm();
      }, 1000 * 2 ** quiet);
    };
    arm();
    const overall = setTimeout(() => finish(new Error(`tftp: not done after ${timeoutMs} ms (${bytes} bytes)`)), timeoutMs);
    sock.on('error', (e) => finish(e));
    sock.on('message', (msg, rinfo) => {
      if (rinfo.address !== server || msg.length < 4) return;
      if (peerPort === 0) peerPort = rinfo.port;
      else if (rinfo.port !== peerPort) return; // RFC 1350 §4: another TID; ignore
      quiet = 0;
      arm();
      const op = msg.readUInt16BE(0);
      if (op === ERROR) {
        finish(new Error(`tftp: error ${msg.readUInt16BE(2)} ${msg.subarray(4).toString('latin1').replace(/\0.*$/, '')}`));
      } else if (op === OACK) {
        const fields = msg.subarray(2).toString('latin1').split('\0');
        for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i].toLowerCase() === 'blksize') wanted = Number(fields[i + 1]);
        send(ack(0), peerPort);
      } else if (op === DATA) {
        const block = msg.readUInt16BE(2);
        if (block === (expect & 0xffff)) {
          bytes += msg.length - 4;
          expect += 1;
          if (msg.length - 4 < wanted) finish(null, bytes, ack(block));
          else send(ack(block), peerPort);
        } else if (block === ((expect - 1) & 0xffff)) {
          sock.send(ack(block), peerPort, server); // our ACK was lost: say it again
        }
      }
    });
    sock.bind(0, () => send(last, 69));
  });
}
