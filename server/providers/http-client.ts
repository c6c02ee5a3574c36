import axios, { type AxiosInstance } from 'axios';
import type { ProviderKind } from '../http/contract';
import type { Logger } from '../logger';
import type { ResolvedOptions } from '../options';
import { hintsFor } from './hints';
import { ProviderError, type OAuthErrorBody, type ProviderErrorCode } from './types';
import { ADDRESS_REFUSED, assertUrlAllowed, createSafeLookup, type NetworkRules } from './url-safety';

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

/** Sends requests to providers with the module's safety, timeout, retry and classification rules. */
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

const NETWORK_RETRYABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ETIMEDOUT', 'ERR_BAD_RESPONSE']);
const TLS_CODES = new Set([
  'EPROTO',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
]);

/** `\u0000` or a `\uD800`–`\uDFFF` escape in JSON text (surrogate pairs match too, which only costs a look). */
const UNSTORABLE_ESCAPE = /\\u(?:0000|[dD][89a-fA-F])/;

/** Builds the transport every provider request goes through. */
export function createHttpClient(deps: HttpClientDeps): HttpClient {
  const instance: AxiosInstance = axios.create();
  const sleep = deps.sleep ?? abortableSleep;
  const random = deps.random ?? Math.random;
  const { maxRetries } = deps.http;

  async function send(request: HttpRequest): Promise<HttpResponse> {
    const target = assertUrlAllowed(request.url, deps.network);
    const what = request.what ?? `the endpoint ${target.pathname}`;
    let retries = 0;
    let renewals = 0;
    for (;;) {
      throwIfAborted(request.signal);
      const attempt = await sendOnce(instance, request, target, deps);
      if (attempt.kind === 'response') {
        const { status } = attempt.response;
        if (status >= 200 && status < 300) {
          request.auth?.accepted(attempt.sentAuth);
          const parsed = parseBody(attempt.text, attempt.response.headers);
          if (parsed.ok) return { ...attempt.response, body: parsed.body, storable: !UNSTORABLE_ESCAPE.test(attempt.text) };
          const failure = fail('bad_response', `${capitalize(what)} answered with a body that is not valid JSON.`, status);
          if (parsed.maybeTruncated && retries < maxRetries) {
            await wait(failure, null);
            continue;
          }
          throw failure;
        }
        if (status === 401 && request.auth) {
          const refusal = request.auth.refusal(attempt.sentAuth);
          if (refusal === 'stale') continue;
          // A new token (or bearer) may be all it takes. Credentials that never worked get one renewal;
          // ones that did (tokens expiring while other requests use them) as many as the retries.
          if (renewals === 0 || (refusal === 'expired' && renewals <= maxRetries)) {
            renewals += 1;
            if (await request.auth.renew()) continue;
          }
        }
        const failure = statusFailure(status, attempt.text, what, retries);
        const retryAfter = retryAfterMs(attempt.response.headers['retry-after']);
        if (status === 429 || status === 503) request.onRefused?.(retryAfter);
        if ((status === 429 || status >= 500) && retries < maxRetries) {
          await wait(failure, retryAfter);
          continue;
        }
        throw failure;
      }
      if (attempt.retryable && retries < maxRetries) {
        await wait(attempt.error, null);
        continue;
      }
      throw attempt.error;
    }

    async function wait(failure: ProviderError, retryAfter: number | null): Promise<void> {
      const delay = backoffMs(retries, retryAfter, deps.http, random);
      deps.logger.warn('provider request retried', {
        host: target.host,
        path: target.pathname,
        reason: failure.status ?? failure.code,
        retry: retries + 1,
        delayMs: delay,
      });
      retries += 1;
      await sleep(delay, request.signal);
    }
  }

  function fail(code: ProviderErrorCode, message: string, status?: number, oauth?: OAuthErrorBody): ProviderError {
    return new ProviderError(code, message, { status, hints: hintsFor(code, deps.provider), oauth });
  }

  function statusFailure(status: number, text: string, what: string, retries: number): ProviderError {
    const said = providerDescription(text);
    const suffix = said ? ` The provider said: "${said}"` : '';
    const tries = retries > 0 ? ` after ${retries} ${retries === 1 ? 'retry' : 'retries'}` : '';
    // Kept on the error so the token step can say which RFC 6749 error it was.
    const oauth = oauthErrorBody(text) ?? undefined;
    const failed = (code: ProviderErrorCode, message: string) => fail(code, message, status, oauth);
    if (status >= 300 && status < 400) {
      return failed('bad_response', `${capitalize(what)} answered with a redirect (HTTP ${status}); enter the final address instead.`);
    }
    if (status === 401) return failed('unauthorized', `The provider refused the credentials (HTTP 401).${suffix}`);
    if (status === 403) return failed('forbidden', `The provider refused access to ${what} (HTTP 403).${suffix}`);
    if (status === 404) return failed('not_found', `${capitalize(what)} was not found (HTTP 404).${suffix}`);
    if (status === 429) return failed('rate_limited', `The provider kept limiting requests (HTTP 429)${tries}.`);
    if (status >= 500) return failed('server_error', `The provider failed (HTTP ${status})${tries}.${suffix}`);
    return failed('bad_response', `The provider refused the request for ${what} (HTTP ${status}).${suffix}`);
  }

  return { send };
}

type Attempt =
  | { kind: 'response'; response: Omit<HttpResponse, 'body'>; text: string; sentAuth: Record<string, string> }
  | { kind: 'error'; error: ProviderError; retryable: boolean };

/** One HTTP exchange with a wall-clock timeout; never throws except for the caller's abort. */
async function sendOnce(instance: AxiosInstance, request: HttpRequest, target: URL, deps: HttpClientDeps): Promise<Attempt> {
  let authHeaders: Record<string, string> = {};
  try {
    // Before the clock starts: fetching a token is a request of its own, with its own timeout.
    if (request.auth) authHeaders = await request.auth.headers(request.method, request.url);
  } catch (err) {
    if (err instanceof ProviderError) return { kind: 'error', error: err, retryable: false };
    throw err;
  }
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), deps.http.timeoutMs);
  const signal = request.signal ? AbortSignal.any([request.signal, timeout.signal]) : timeout.signal;
  try {
    const response = await instance.request<string>({
      method: request.method,
      url: request.url,
      headers: { Accept: 'application/json', ...request.headers, ...authHeaders },
      data: request.body,
      responseType: 'text',
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
    const text = typeof response.data === 'string' ? response.data : '';
    return { kind: 'response', response: { status: response.status, headers }, text, sentAuth: authHeaders };
  } catch (err) {
    if (request.signal?.aborted) throw new ProviderError('aborted', 'The pull was cancelled.');
    if (timeout.signal.aborted) {
      const seconds = deps.http.timeoutMs / 1000;
      return { kind: 'error', error: classified('timeout', `The provider did not answer within ${seconds} s.`, deps), retryable: true };
    }
    return classifyNetworkError(err, target, deps);
  } finally {
    clearTimeout(timer);
  }
}

function classifyNetworkError(err: unknown, target: URL, deps: HttpClientDeps): Attempt {
  const code = errorCode(err);
  const host = target.host;
  if (code === ADDRESS_REFUSED) {
    return { kind: 'error', error: classified('url_not_allowed', causeMessage(err), deps), retryable: false };
  }
  if (code && (TLS_CODES.has(code) || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code.includes('CERT'))) {
    return { kind: 'error', error: classified('tls_error', `A secure (TLS) connection to ${host} failed.`, deps), retryable: false };
  }
  if (code === 'ERR_BAD_RESPONSE' && /maxContentLength/.test(causeMessage(err))) {
    const limit = Math.round(maxBodyBytes(deps.http.pageSize) / (1024 * 1024));
    return { kind: 'error', error: classified('bad_response', `The provider at ${host} sent an answer larger than ${limit} MB (decompressed); it was not read.`, deps), retryable: false };
  }
  // axios's code when the answer began but its body broke off (a cut connection): the provider
  // was reached, so this is a bad answer, not an unreachable host. Worth a retry.
  if (code === 'ERR_BAD_RESPONSE') {
    return { kind: 'error', error: classified('bad_response', `The provider at ${host} stopped its answer before it was complete.`, deps), retryable: true };
  }
  if (code === 'ENOTFOUND') {
    return { kind: 'error', error: classified('unreachable', `The host name ${target.hostname} was not found.`, deps), retryable: false };
  }
  const detail = code === 'ECONNREFUSED' ? 'refused the connection' : 'could not be reached';
  return {
    kind: 'error',
    error: classified('unreachable', `The provider at ${host} ${detail}.`, deps),
    retryable: code === undefined || NETWORK_RETRYABLE.has(code),
  };
}

function classified(code: ProviderErrorCode, message: string, deps: HttpClientDeps): ProviderError {
  return new ProviderError(code, message, { hints: hintsFor(code, deps.provider) });
}

/** The network error's code, looking through axios's wrapper to the socket's own error. */
function errorCode(err: unknown): string | undefined {
  const outer = err as { code?: string; cause?: { code?: string } } | null;
  return outer?.cause?.code ?? outer?.code;
}

function causeMessage(err: unknown): string {
  const outer = err as { message?: string; cause?: { message?: string } } | null;
  return outer?.cause?.message ?? outer?.message ?? 'The provider address is not allowed.';
}

/** Parses a JSON body; says whether a failure looks like a cut-off JSON answer (worth a retry). */
function parseBody(text: string, headers: Record<string, string>): { ok: true; body: unknown } | { ok: false; maybeTruncated: boolean } {
  if (text.trim() === '') return { ok: true, body: undefined };
  try {
    return { ok: true, body: JSON.parse(text) };
  } catch {
    const looksJson = /json/i.test(headers['content-type'] ?? '') || /^\s*[[{]/.test(text);
    return { ok: false, maybeTruncated: looksJson };
  }
}

/** An OAuth 2.0 error body (`{"error": "invalid_scope", "error_description": …}`), or null. */
function oauthErrorBody(text: string): OAuthErrorBody | null {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return null;
  }
  if (!body || typeof body !== 'object' || typeof (body as { error?: unknown }).error !== 'string') return null;
  const { error, error_description: description } = body as { error: string; error_description?: unknown };
  if (!/^[\x20-\x7e]{1,64}$/.test(error)) return null;
  return { error, description: typeof description === 'string' && description.trim() ? description.trim().replace(/\s+/g, ' ').slice(0, 200) : null };
}

/** The provider's own words about an error (OneRoster imsx_description, OAuth error_description), trimmed. */
export function providerDescription(text: string): string | null {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return null;
  }
  const found = findDescription(body, 0);
  return found ? found.replace(/\s+/g, ' ').slice(0, 200) : null;
}

function findDescription(value: unknown, depth: number): string | null {
  if (depth > 3 || value === null || typeof value !== 'object') return null;
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = findDescription(item, depth + 1);
      if (found) return found;
    }
    return null;
  }
  const record = value as Record<string, unknown>;
  for (const key of ['imsx_description', 'error_description', 'description', 'message']) {
    if (typeof record[key] === 'string' && record[key]) return record[key] as string;
  }
  for (const key of ['statusInfoSet', 'imsx_statusInfo', 'error', 'errors']) {
    const found = findDescription(record[key], depth + 1);
    if (found) return found;
  }
  return null;
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

/** `Retry-After` as milliseconds (seconds or an HTTP date), or null. */
export function retryAfterMs(header: string | undefined, now: number = Date.now()): number | null {
  if (!header) return null;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
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

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
