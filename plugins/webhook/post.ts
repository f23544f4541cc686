/**
 * One HTTP POST with node:http(s), bounded by a timeout and an abort signal.
 * The response body is discarded: receivers say yes or no with the status.
 */
import { request as httpRequest, Agent as HttpAgent, type IncomingMessage } from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';

export type PostResult =
  | { readonly ok: true; readonly status: number }
  | { readonly ok: false; readonly status?: number | undefined; readonly retryAfterMs?: number | undefined; readonly reason: string };

/** Agents for one plugin instance (keep-alive, closed on stop). */
export interface Agents {
  readonly http: HttpAgent;
  readonly https: HttpsAgent;
  destroy(): void;
}

export function createAgents(): Agents {
  const http = new HttpAgent({ keepAlive: true, maxSockets: 4 });
  const https = new HttpsAgent({ keepAlive: true, maxSockets: 4 });
  return {
    http,
    https,
    destroy() {
      http.destroy();
      https.destroy();
    },
  };
}

/** `Retry-After` in seconds (RFC 9110 §10.2.3; the HTTP-date form is ignored). */
function retryAfterMs(res: IncomingMessage): number | undefined {
  const v = res.headers['retry-after'];
  return typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v.trim()) * 1000 : undefined;
}

export function post(url: URL, headers: Record<string, string>, body: Buffer, opts: { agents: Agents; timeoutMs: number; signal: AbortSignal }): Promise<PostResult> {
  return new Promise((resolve) => {
    const https = url.protocol === 'https:';
    const signal = AbortSignal.any([opts.signal, AbortSignal.timeout(opts.timeoutMs)]);
    const req = (https ? httpsRequest : httpRequest)(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(body.length) },
      agent: https ? opts.agents.https : opts.agents.http,
      signal,
    });
    req.once('response', (res) => {
      // Drain and forget the body; the status is the answer.
      res.resume();
      res.once('error', () => undefined);
      const status = res.statusCode ?? 0;
      if (status >= 200 && status < 300) resolve({ ok: true, status });
      else resolve({ ok: false, status, retryAfterMs: retryAfterMs(res), reason: `HTTP ${status}` });
    });
    req.once('error', (err: NodeJS.ErrnoException) => {
      const timedOut = signal.aborted && !opts.signal.aborted;
      resolve({ ok: false, reason: timedOut ? `no answer within ${opts.timeoutMs} ms` : (err.code ?? err.message) });
    });
    req.end(body);
  });
}
