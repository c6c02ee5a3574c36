import axios, { type AxiosInstance } from 'axios';
import type { ProviderKind } from '../domain/contract';
import type { Logger } from '../logger';
import type { ResolvedOptions } from '../options';
import { classifyAttempt, type Attempt } from './classify-attempt';
import { ProviderError } from './types';
import { assertUrlAllowed, createSafeLookup, type NetworkRules } from './url-safety';

/** Credentials for one request: fresh headers per attempt (OAuth1 signs each), and one renewal on 401. */
export interface RequestAuth {
  /** Headers that authenticate this exact request (method and full URL, query included). */
  headers(method: string, url: string): Promise<Record<string, string>>;
  /** Gets new credentials after a 401; false when there is nothing new to try (then the 401 stands). */
  renew(): Promise<boolean>;
  /** Notes that a request carrying these headers was answered (not 401): the credentials work. */
  accepted(sent: Record<string, string>): void;
  /**
   * What a 401 to these headers means. With several requests in flight: `stale`, another request
   * has replaced them meanwhile (try the new ones); `expired`, they are current and these
   * credentials have worked before (renew); `refused`, they never worked (renew once, then final).
   */
  refusal(sent: Record<string, string>): 'stale' | 'expired' | 'refused';
}

/** One request to a provider. */
export interface HttpRequest {
  /** HTTP method. */
  method: 'GET' | 'POST';
  /** Full URL, the query already encoded exactly as it must be sent (and signed). */
  url: string;
  /** Extra headers. */
  headers?: Record<string, string>;
  /** Form body for POST. */
  body?: string;
  /** How to authenticate; none for public or pre-authenticated requests. */
  auth?: RequestAuth;
  /** Cancels the request and any wait between retries. */
  signal?: AbortSignal;
  /** What is asked for, for messages: "the token URL", "the ClassLink application list"… Defaults to the URL's path. */
  what?: string;
  /**
   * Told of every 429 or 503 answer (retried or final) with its `Retry-After` in ms, as it arrives,
   * so a pager can slow its other requests down at once rather than after the retries.
   */
  onRefused?: (retryAfterMs: number | null) => void;
}

/** A provider's answer (2xx only; everything else becomes a `ProviderError`). */
export interface HttpResponse {
  /** HTTP status. */
  status: number;
  /** Headers, names in lower case. */
  headers: Record<string, string>;
  /** The JSON body, or undefined when empty. */
  body: unknown;
  /**
   * True when the body's text holds no escape that could stand for a NUL or a lone surrogate, so
   * no string in `body` holds one (JSON has no other way to write them, and decoding the bytes
   * turns broken UTF-8 into U+FFFD): readers may then skip looking.
   */
  storable?: boolean;
}

/**
 * Sends requests to providers with the module's safety, timeout and retry rules; what an answer
 * means (success, which failure, whether to retry) is `classifyAttempt`'s, in classify-attempt.ts.
 */
export interface HttpClient {
  /** Sends, retrying 429/5xx/network failures, renewing auth once on 401; throws a classified `ProviderError`. */
  send(request: HttpRequest): Promise<HttpResponse>;
}

/** What the transport needs. */
export interface HttpClientDeps {
  /** Timeouts and retry policy. */
  http: ResolvedOptions['http'];
  /** URL rules (SSRF protection). */
  network: NetworkRules;
  /** Where retries are noted (never with headers, bodies or query strings). */
  logger: Logger;
  /** Which provider, to pick the hints. */
  provider?: ProviderKind;
  /** Waits between retries (tests may speed it up). Defaults to a timer. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Random source for jitter. Defaults to `Math.random`. */
  random?: () => number;
}

/**
 * Largest response body read, after decompression, so a broken provider (or a gzip bomb) cannot
 * exhaust memory: 16 KB per record asked for (real records are a few KB), between 16 and 256 MB.
 */
export function maxBodyBytes(pageSize: number): number {
  const MB = 1024 * 1024;
  return Math.min(256 * MB, Math.max(16 * MB, pageSize * 16 * 1024));
}

/** Builds the transport every provider request goes through. */
export function createHttpClient(deps: HttpClientDeps): HttpClient {
  const instance: AxiosInstance = axios.create();
  const sleep = deps.sleep ?? abortableSleep;
  const random = deps.random ?? Math.random;
  const { maxRetries } = deps.http;

  /**
   * The retry loop: send, renew credentials on a 401 when that may help, and otherwise do what
   * the classifier's verdict says (return the body, wait and retry, or throw its error).
   */
  async function send(request: HttpRequest): Promise<HttpResponse> {
    const target = assertUrlAllowed(request.url, deps.network);
    const what = request.what ?? `the endpoint ${target.pathname}`;
    let retries = 0;
    let renewals = 0;
    for (;;) {
      throwIfAborted(request.signal);
      const { attempt, sentAuth } = await sendOnce(instance, request, target, deps);
      if (attempt.kind === 'response' && attempt.status === 401 && request.auth) {
        const refusal = request.auth.refusal(sentAuth);
        if (refusal === 'stale') continue;
        // A new token (or bearer) may be all it takes. Credentials that never worked get one renewal;
        // ones that did (tokens expiring while other requests use them) as many as the retries.
        if (renewals === 0 || (refusal === 'expired' && renewals <= maxRetries)) {
          renewals += 1;
          if (await request.auth.renew()) continue;
        }
      }
      if (attempt.kind === 'response' && attempt.status >= 200 && attempt.status < 300) request.auth?.accepted(sentAuth);
      const verdict = classifyAttempt(attempt, {
        what,
        target,
        retries,
        provider: deps.provider,
        timeoutMs: deps.http.timeoutMs,
        maxBodyBytes: maxBodyBytes(deps.http.pageSize),
      });
      if (verdict.ok) {
        const { status, headers } = attempt as Extract<Attempt, { kind: 'response' }>;
        return { status, headers, body: verdict.body, storable: verdict.storable };
      }
      if (verdict.throttled) request.onRefused?.(verdict.retryAfterMs);
      if (!verdict.retryable || retries >= maxRetries) throw verdict.error;
      const delay = backoffMs(retries, verdict.retryAfterMs, deps.http, random);
      deps.logger.warn('provider request retried', {
        host: target.host,
        path: target.pathname,
        reason: verdict.error.status ?? verdict.error.code,
        retry: retries + 1,
        delayMs: delay,
      });
      retries += 1;
      await sleep(delay, request.signal);
    }
  }

  return { send };
}

/** One HTTP exchange with a wall-clock timeout, unjudged; never throws except for the caller's abort. */
async function sendOnce(
  instance: AxiosInstance,
  request: HttpRequest,
  target: URL,
  deps: HttpClientDeps,
): Promise<{ attempt: Attempt; sentAuth: Record<string, string> }> {
  let sentAuth: Record<string, string> = {};
  try {
    // Before the clock starts: fetching a token is a request of its own, with its own timeout.
    if (request.auth) sentAuth = await request.auth.headers(request.method, request.url);
  } catch (err) {
    if (err instanceof ProviderError) return { attempt: { kind: 'auth', error: err }, sentAuth };
    throw err;
  }
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), deps.http.timeoutMs);
  const signal = request.signal ? AbortSignal.any([request.signal, timeout.signal]) : timeout.signal;
  try {
    const response = await instance.request<Buffer>({
      method: request.method,
      url: request.url,
      headers: { Accept: 'application/json', ...request.headers, ...sentAuth },
      data: request.body,
      responseType: 'arraybuffer',
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
      maxRedirects: 0,
      maxContentLength: maxBodyBytes(deps.http.pageSize),
      // An environment proxy would bypass the address checks below.
      proxy: false,
      lookup: createSafeLookup(target, deps.network),
      signal,
    } as Parameters<AxiosInstance['request']>[0]);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers ?? {})) {
      if (value !== undefined && value !== null) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    }
    const bytes = Buffer.isBuffer(response.data) ? response.data : Buffer.alloc(0);
    return { attempt: { kind: 'response', status: response.status, headers, bytes }, sentAuth };
  } catch (err) {
    if (request.signal?.aborted) throw new ProviderError('aborted', 'The pull was cancelled.');
    return { attempt: timeout.signal.aborted ? { kind: 'timeout' } : { kind: 'network', error: err }, sentAuth };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Delay before retry number `retries + 1`: the provider's `Retry-After` when sent, otherwise
 * "full jitter" (random between 0 and base·2^retries); both capped at `retryMaxMs`.
 */
export function backoffMs(retries: number, retryAfter: number | null, http: ResolvedOptions['http'], random: () => number): number {
  if (retryAfter !== null) return Math.min(retryAfter, http.retryMaxMs);
  const ceiling = Math.min(http.retryMaxMs, http.retryBaseMs * 2 ** retries);
  return Math.floor(random() * ceiling);
}

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new ProviderError('aborted', 'The pull was cancelled.');
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new ProviderError('aborted', 'The pull was cancelled.'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new ProviderError('aborted', 'The pull was cancelled.'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
