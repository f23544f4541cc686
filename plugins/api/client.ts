/**
 * One boot API request: `GET` with a timeout that covers the whole exchange
 * (connect, redirects, headers and body, like Go's `http.Client.Timeout`),
 * no retries (a later DHCP packet asks again), and a cap on the body size.
 * Never throws: every outcome is a value the caller can log.
 */
import { STATUS_CODES } from 'node:http';
import got, { TimeoutError, type RequestError } from 'got';

/** Why a request produced no usable body. */
export type FailureKind = 'timeout' | 'transport' | 'status' | 'too-large' | 'aborted';

export type FetchResult =
  | { ok: true; body: string; ms: number }
  | { ok: false; kind: FailureKind; reason: string; status?: number | undefined; ms: number };

export interface FetchOptions {
  /** Whole-request timeout. */
  timeoutMs: number;
  /** Largest body accepted, in bytes (after content decoding). */
  maxBytes: number;
  headers?: Readonly<Record<string, string>> | undefined;
  /** Aborts the request (pixie stopping). */
  signal?: AbortSignal | undefined;
  userAgent?: string | undefined;
}

const mib = (n: number) => (n % 1048576 === 0 ? `${n / 1048576} MiB` : `${n} bytes`);

/** `GET url` and collect a 200 response's body as UTF-8 text. */
export function fetchBootResponse(url: string, o: FetchOptions): Promise<FetchResult> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    const stream = got.stream(url, {
      timeout: { request: o.timeoutMs },
      retry: { limit: 0 },
      throwHttpErrors: false,
      headers: { 'user-agent': o.userAgent ?? 'pixie', accept: 'application/json', ...o.headers },
      ...(o.signal ? { signal: o.signal } : {}),
    });
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (r: FetchResult) => {
      if (settled) return;
      settled = true;
      stream.destroy();
      resolve(r);
    };
    const tooLarge = (how: string) =>
      finish({ ok: false, kind: 'too-large', reason: `the body is larger than ${mib(o.maxBytes)} (${how})`, ms: ms() });

    stream.on('response', (res: { statusCode: number; headers: Record<string, string | string[] | undefined> }) => {
      if (res.statusCode !== 200) {
        const text = STATUS_CODES[res.statusCode] ?? 'unknown status';
        finish({ ok: false, kind: 'status', status: res.statusCode, reason: `the API answered ${res.statusCode} ${text}`, ms: ms() });
        return;
      }
      const length = Number(res.headers['content-length']);
      if (Number.isFinite(length) && length > o.maxBytes && res.headers['content-encoding'] === undefined) {
        tooLarge(`Content-Length: ${length}`);
      }
    });
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > o.maxBytes) tooLarge(`${size} bytes received so far`);
      else chunks.push(chunk);
    });
    stream.on('end', () => finish({ ok: true, body: Buffer.concat(chunks).toString('utf8'), ms: ms() }));
    stream.on('error', (err: RequestError) => {
      if (o.signal?.aborted) finish({ ok: false, kind: 'aborted', reason: 'pixie is stopping', ms: ms() });
      else if (err instanceof TimeoutError) finish({ ok: false, kind: 'timeout', reason: `no complete answer within ${o.timeoutMs} ms`, ms: ms() });
      else finish({ ok: false, kind: 'transport', reason: `the request failed: ${err.message}`, ms: ms() });
    });
  });
}
