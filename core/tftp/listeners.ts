/**
 * The listening sockets (UDP 69). Node cannot tell which local address a
 * datagram was sent to (no IP_PKTINFO), yet each transfer must answer from
 * that very address, or the client drops it. So a wildcard listen address is
 * expanded into one socket per local address; every datagram then arrives
 * with its local address known. Addresses that appear or vanish later are
 * picked up by a periodic rescan.
 */
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Logger } from 'pino';
import { PixieError } from '../errors.js';

export interface Listeners {
  /** The port every socket listens on (the real one when 0 was asked). */
  readonly port: number;
  /** The local addresses currently bound. */
  addresses(): string[];
  close(): Promise<void>;
}

export interface ListenOptions {
  readonly listenAddr: string;
  readonly port: number;
  readonly log: Logger;
  /** How often a wildcard listener looks for new local addresses. */
  readonly rescanMs?: number | undefined;
  onMessage(msg: Buffer, peer: dgram.RemoteInfo, local: string, reply: (packet: Buffer) => void): void;
}

const DEFAULT_RESCAN_MS = 3000;

const isWildcard = (addr: string) => addr === '0.0.0.0' || addr === '::';

/** The local addresses a wildcard stands for: IPv4 for 0.0.0.0, IPv4 and IPv6 for ::. */
export function localAddresses(wildcard: string): string[] {
  const out: string[] = [];
  for (const [ifname, addrs] of Object.entries(networkInterfaces())) {
    for (const a of addrs ?? []) {
      if (a.family === 'IPv4') out.push(a.address);
      else if (wildcard === '::') out.push(a.scopeid ? `${a.address}%${ifname}` : a.address);
    }
  }
  return [...new Set(out)];
}

/** Turn a bind failure into an error that says what to do. */
export function bindError(err: unknown, address: string, port: number): PixieError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const where = `${address}:${port}`;
  let fix: string;
  if (code === 'EACCES' || code === 'EPERM') {
    fix = `permission denied: ports below 1024 need root or the CAP_NET_BIND_SERVICE capability (e.g. \`sudo setcap cap_net_bind_service=+ep "$(command -v node)"\`), or use an unprivileged port`;
  } else if (code === 'EADDRINUSE') {
    fix = 'the port is in use: another TFTP server (tftpd-hpa, atftpd, dnsmasq --enable-tftp, another pixie) is listening; stop it or choose another address/port';
  } else if (code === 'EADDRNOTAVAIL') {
    fix = 'this host has no such address: pick one of its own addresses (or 0.0.0.0) with --listen-addr';
  } else {
    fix = (err as Error | undefined)?.message ?? String(err);
  }
  return new PixieError('PIXIE_ERR_BIND', `TFTP cannot listen on ${where}: ${fix}`, { cause: err });
}

function bindOne(address: string, port: number, opts: ListenOptions): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const v6 = isIPv6(address.replace(/%.*$/, ''));
    // ipv6Only: with "::" expanded per address, a v6 socket must not also claim v4.
    const sock = dgram.createSocket(v6 ? { type: 'udp6', ipv6Only: true } : { type: 'udp4' });
    const onBindError = (err: Error) => {
      sock.close();
      reject(bindError(err, address, port));
    };
    sock.once('error', onBindError);
    sock.bind({ address, port, exclusive: true }, () => {
      sock.off('error', onBindError);
      sock.on('error', (err) => opts.log.warn({ err, address }, `tftp: listening socket on ${address} reported: ${err.message}`));
      const local = address;
      const reply = (packet: Buffer, peer: dgram.RemoteInfo) => sock.send(packet, peer.port, peer.address);
      sock.on('message', (msg, peer) => opts.onMessage(msg, peer, local, (packet) => reply(packet, peer)));
      resolve(sock);
    });
  });
}

const closeSocket = (s: dgram.Socket) =>
  new Promise<void>((resolve) => {
    try {
      s.close(() => resolve());
    } catch {
      resolve(); // already closed
    }
  });

/** Bind the listening socket(s); rejects with PIXIE_ERR_BIND. */
export async function listen(opts: ListenOptions): Promise<Listeners> {
  const bound = new Map<string, dgram.Socket>();
  const closeAll = async () => {
    const all = [...bound.values()];
    bound.clear();
    await Promise.all(all.map(closeSocket));
  };

  if (!isWildcard(opts.listenAddr)) {
    const sock = await bindOne(opts.listenAddr, opts.port, opts);
    bound.set(opts.listenAddr, sock);
    return { port: sock.address().port, addresses: () => [...bound.keys()], close: closeAll };
  }

  const wanted = localAddresses(opts.listenAddr);
  if (wanted.length === 0) {
    throw new PixieError('PIXIE_ERR_BIND', `TFTP cannot listen on ${opts.listenAddr}:${opts.port}: this host has no address of that family`);
  }
  let port = opts.port;
  try {
    for (const addr of wanted) {
      const sock = await bindOne(addr, port, opts);
      bound.set(addr, sock);
      // With port 0 the first socket picks a port; the others share it.
      port = sock.address().port;
    }
  } catch (err) {
    await closeAll();
    throw err;
  }

  let scanning = false;
  const warned = new Set<string>();
  const rescan = async () => {
    if (scanning) return;
    scanning = true;
    try {
      const present = new Set(localAddresses(opts.listenAddr));
      for (const [addr, sock] of bound) {
        if (present.has(addr)) continue;
        bound.delete(addr);
        await closeSocket(sock);
        opts.log.info({ address: addr }, `tftp: ${addr} went away; stopped listening on it`);
      }
      for (const addr of present) {
        if (bound.has(addr) || timer === undefined) continue;
        try {
          const sock = await bindOne(addr, port, opts);
          if (timer === undefined) {
            await closeSocket(sock); // closed while binding
            continue;
          }
          bound.set(addr, sock);
          warned.delete(addr);
          opts.log.info({ address: addr, port }, `tftp: new address ${addr}; listening on ${addr}:${port}`);
        } catch (err) {
          if (warned.has(addr)) continue;
          warned.add(addr);
          opts.log.warn({ err, address: addr }, `tftp: cannot listen on new address ${addr}: ${(err as Error).message}`);
        }
      }
    } finally {
      scanning = false;
    }
  };
  let timer: NodeJS.Timeout | undefined = setInterval(() => void rescan(), opts.rescanMs ?? DEFAULT_RESCAN_MS).unref();

  return {
    port,
    addresses: () => [...bound.keys()],
    close: async () => {
      clearInterval(timer);
      timer = undefined;
      await closeAll();
    },
  };
}
