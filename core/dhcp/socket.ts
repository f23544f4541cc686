/**
 * DHCP sockets. On Linux they come from native/pixie_net (IP_PKTINFO for the
 * arrival interface and the outgoing one, raw sockets for --dhcp-no-bind);
 * docs/dhcp.md explains why dgram is not enough. Without the addon, a dgram
 * fallback works for single-homed hosts only.
 */
import dgram from 'node:dgram';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildUdp, parseIpv4Udp } from './udp.js';

/** One received DHCP payload and where it came from / arrived. */
export interface Received {
  data: Buffer;
  /** Arrival interface index (0 when unknown). */
  ifindex: number;
  /** Our address on the arrival interface (what the client can reach us by); '' when unknown. */
  local: string;
  address: string;
  port: number;
}

export interface SendTarget {
  address: string;
  port: number;
  /** Leave by this interface (0 = routing decides). */
  ifindex: number;
  /** Source address to use. */
  source: string;
}

export interface DhcpSocket {
  send(data: Buffer, to: SendTarget): void;
  close(): void;
}

interface NativeNet {
  open(address: string, port: number, raw: boolean): number;
  recv(fd: number, buf: Buffer): null | { length: number; truncated: number; ifindex: number; local: string; dest: string; address: string; port: number };
  send(fd: number, data: Buffer, address: string, port: number, ifindex: number, source: string): number;
  watch(fd: number, cb: () => void): unknown;
  unwatch(handle: unknown): void;
  close(fd: number): void;
  ifName(index: number): string | null;
}

let loaded: { net?: NativeNet; error?: string } | undefined;

/** The native addon, or why it is unavailable. */
export function nativeNet(): { net?: NativeNet; error?: string } {
  if (loaded) return loaded;
  const here = dirname(fileURLToPath(import.meta.url));
  // core/dhcp/ when run from source, dist/core/dhcp/ when built.
  const candidates = [join(here, '../../native/build/Release/pixie_net.node'), join(here, '../../../native/build/Release/pixie_net.node')];
  const file = candidates.find((f) => existsSync(f));
  if (process.platform !== 'linux') loaded = { error: 'the native socket addon is Linux only' };
  else if (!file) loaded = { error: 'native/build/Release/pixie_net.node is missing: run `npm install` (needs make, a C compiler and python3)' };
  else {
    try {
      loaded = { net: createRequire(import.meta.url)(file) as NativeNet };
    } catch (e) {
      loaded = { error: `loading ${file} failed: ${e instanceof Error ? e.message : String(e)}` };
    }
  }
  return loaded;
}

export interface OpenOptions {
  /** Bind address for bound sockets. */
  address: string;
  port: number;
  /** Raw socket filtered to UDP destination `port`, not bound (--dhcp-no-bind). */
  raw: boolean;
  onMessage(msg: Received): void;
  /** Called for receive errors that do not stop the socket. */
  onError(err: Error): void;
}

/** Open a socket through the addon. Throws errors with `code` = errno name. */
export function openNative(net: NativeNet, opts: OpenOptions): DhcpSocket {
  const fd = net.open(opts.address, opts.port, opts.raw);
  const buf = Buffer.allocUnsafe(65536);
  const drain = () => {
    for (let i = 0; i < 256; i++) {
      let r;
      try {
        r = net.recv(fd, buf);
      } catch (e) {
        opts.onError(e as Error);
        return;
      }
      if (!r) return;
      let data: Buffer = buf.subarray(0, r.length);
      let { address, port } = r;
      if (opts.raw) {
        const udp = parseIpv4Udp(data);
        if (!udp || udp.destPort !== opts.port) continue;
        data = Buffer.from(udp.payload);
        address = udp.source;
        port = udp.sourcePort;
      } else {
        data = Buffer.from(data);
      }
      const local = r.local === '0.0.0.0' ? '' : r.local;
      opts.onMessage({ data, ifindex: r.ifindex, local, address, port });
    }
  };
  const watch = net.watch(fd, drain);
  let closed = false;
  return {
    send(data, to) {
      if (closed) return;
      const payload = opts.raw ? buildUdp(to.source, to.address, opts.port, to.port, data) : data;
      net.send(fd, payload, to.address, opts.raw ? 0 : to.port, to.ifindex, to.source);
    },
    close() {
      if (closed) return;
      closed = true;
      net.unwatch(watch);
      net.close(fd);
    },
  };
}

/**
 * dgram fallback (no addon): bound sockets only, no arrival interface; the
 * caller supplies the single server address. Resolves once bound.
 */
export async function openDgram(opts: OpenOptions & { local: string }): Promise<DhcpSocket> {
  const sock = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(opts.port, opts.address, () => {
      sock.off('error', reject);
      resolve();
    });
  });
  sock.setBroadcast(true);
  sock.on('error', (e) => opts.onError(e));
  sock.on('message', (data, rinfo) => opts.onMessage({ data, ifindex: 0, local: opts.local, address: rinfo.address, port: rinfo.port }));
  return {
    send(data, to) {
      sock.send(data, to.port, to.address, (err) => err && opts.onError(err));
    },
    close() {
      try {
        sock.close();
      } catch {
        // already closed
      }
    },
  };
}
