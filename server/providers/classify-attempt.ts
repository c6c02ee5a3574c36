import type { ProviderKind } from '../domain/contract';
import { hintsFor } from './hints';
import { ProviderError, type OAuthErrorBody, type ProviderErrorCode } from './types';
import { ADDRESS_REFUSED } from './url-safety';

/** What one exchange with a provider came to, before anyone judged it. */
export type Attempt =
  | {
      kind: 'response';
      status: number;
      headers: Record<string, string>;
      /**
       * The body's bytes as they arrived, decoded only when judged: while answers wait for a busy
       * reader they sit outside V8's heap, where they do not swell the live set that V8 sizes the
       * heap by (about four times that set between full collections).
       */
      bytes: Buffer;
    }
  /** No answer within the timeout. */
  | { kind: 'timeout' }
  /** The connection failed (DNS, refused, reset, TLS, an oversized or cut-off body). */
  | { kind: 'network'; error: unknown }
  /** Authenticating the request failed before it was sent (a token request of its own failed). */
  | { kind: 'auth'; error: ProviderError };

/** The verdict on an attempt: its JSON body, or a classified failure with whether another try may help. */
export type Verdict =
  | {
      ok: true;
      /** The parsed JSON body, or undefined when empty. */
      body: unknown;
      /** True when the text holds no escape that could stand for a NUL or a lone surrogate (see `HttpResponse.storable`). */
      storable: boolean;
    }
  | {
      ok: false;
      /** The failure, with its code, message and hints. */
      error: ProviderError;
      /** Whether trying again may succeed (429, 5xx, a cut-off answer, a flaky network). */
      retryable: boolean;
      /** The provider's `Retry-After`, in ms, when it sent one. */
      retryAfterMs: number | null;
      /** A 429 or 503: the provider asks for fewer requests. */
      throttled: boolean;
    };

/** What the words of a verdict depend on. */
export interface ClassifyContext {
  /** What was asked for, for messages ("the token URL", "the endpoint /users"). */
  what: string;
  /** The URL asked for (its host names the provider in messages). */
  target: URL;
  /** Retries made so far ("after 3 retries"). */
  retries: number;
  /** Which provider, to pick the hints. */
  provider?: ProviderKind;
  /** The request timeout, in ms, for the timeout message. */
  timeoutMs: number;
  /** The largest body read, in bytes, for the oversized-answer message. */
  maxBodyBytes: number;
  /** The current time in ms, for an HTTP-date `Retry-After`. Defaults to `Date.now()`. */
  now?: number;
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

/**
 * Judges one attempt: a 2xx with a JSON body (or none) succeeds; anything else becomes a
 * `ProviderError` with the code, message and hints an admin reads, and whether a retry may help.
 * Pure: it sends nothing and waits for nothing, so the retry loop only asks it.
 */
export function classifyAttempt(attempt: Attempt, context: ClassifyContext): Verdict {
  switch (attempt.kind) {
    case 'auth':
      return failure(attempt.error, false);
    case 'timeout':
      return failure(providerError('timeout', `The provider did not answer within ${context.timeoutMs / 1000} s.`, context), true);
    case 'network':
      return classifyNetworkError(attempt.error, context);
    case 'response':
      return classifyResponse(attempt, context);
  }
}

/**
 * `\u0000` or a `\uD800`–`\uDFFF` escape in JSON text (surrogate pairs match too, which only costs a
 * look): JSON has no other way to write a NUL or a lone surrogate.
 */
const UNSTORABLE_ESCAPE = /\\u(?:0000|[dD][89a-fA-F])/;

function classifyResponse(response: Extract<Attempt, { kind: 'response' }>, context: ClassifyContext): Verdict {
  const { status, headers } = response;
  const text = decodeBody(response.bytes);
  if (status >= 200 && status < 300) {
    const parsed = parseBody(text, headers);
    if (parsed.ok) return { ok: true, body: parsed.body, storable: !UNSTORABLE_ESCAPE.test(text) };
    // A JSON answer that does not parse was probably cut off: worth another try.
    const error = providerError('bad_response', `${capitalize(context.what)} answered with a body that is not valid JSON.`, context, status);
    return failure(error, parsed.maybeTruncated);
  }
  const throttled = status === 429 || status === 503;
  const retryAfter = retryAfterMs(headers['retry-after'], context.now);
  return { ok: false, error: statusFailure(status, text, context), retryable: status === 429 || status >= 500, retryAfterMs: retryAfter, throttled };
}

/** UTF-8 text of a body, without a leading byte-order mark (JSON.parse refuses one; axios stripped it too). */
function decodeBody(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function statusFailure(status: number, text: string, context: ClassifyContext): ProviderError {
  const { what, retries } = context;
  const said = providerDescription(text);
  const suffix = said ? ` The provider said: "${said}"` : '';
  const tries = retries > 0 ? ` after ${retries} ${retries === 1 ? 'retry' : 'retries'}` : '';
  // Kept on the error so the token step can say which RFC 6749 error it was.
  const oauth = oauthErrorBody(text) ?? undefined;
  const failed = (code: ProviderErrorCode, message: string) => providerError(code, message, context, status, oauth);
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

function classifyNetworkError(err: unknown, context: ClassifyContext): Verdict {
  const code = errorCode(err);
  const { host, hostname } = context.target;
  const fail = (errorCodeOf: ProviderErrorCode, message: string, retryable: boolean) => failure(providerError(errorCodeOf, message, context), retryable);
  if (code === ADDRESS_REFUSED) return fail('url_not_allowed', causeMessage(err), false);
  if (code && (TLS_CODES.has(code) || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code.includes('CERT'))) {
    return fail('tls_error', `A secure (TLS) connection to ${host} failed.`, false);
  }
  if (code === 'ERR_BAD_RESPONSE' && /maxContentLength/.test(causeMessage(err))) {
    const limit = Math.round(context.maxBodyBytes / (1024 * 1024));
    return fail('bad_response', `The provider at ${host} sent an answer larger than ${limit} MB (decompressed); it was not read.`, false);
  }
  // axios's code when the answer began but its body broke off (a cut connection): the provider
  // was reached, so this is a bad answer, not an unreachable host. Worth a retry.
  if (code === 'ERR_BAD_RESPONSE') return fail('bad_response', `The provider at ${host} stopped its answer before it was complete.`, true);
  if (code === 'ENOTFOUND') return fail('unreachable', `The host name ${hostname} was not found.`, false);
  const detail = code === 'ECONNREFUSED' ? 'refused the connection' : 'could not be reached';
  return fail('unreachable', `The provider at ${host} ${detail}.`, code === undefined || NETWORK_RETRYABLE.has(code));
}

function failure(error: ProviderError, retryable: boolean): Verdict {
  return { ok: false, error, retryable, retryAfterMs: null, throttled: false };
}

function providerError(code: ProviderErrorCode, message: string, context: ClassifyContext, status?: number, oauth?: OAuthErrorBody): ProviderError {
  return new ProviderError(code, message, { status, hints: hintsFor(code, context.provider), oauth });
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

/** `Retry-After` as milliseconds (seconds or an HTTP date), or null. */
export function retryAfterMs(header: string | undefined, now: number = Date.now()): number | null {
  if (!header) return null;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
