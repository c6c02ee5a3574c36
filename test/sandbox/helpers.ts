/**
 * Plain-HTTP helpers for the sandbox's own tests, including an OAuth1 signer written apart from
 * the sandbox's verifier (so a bug shared by both cannot hide).
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { Sandbox, SandboxOAuth2Credentials } from '../../examples/oneroster-sandbox';

/** A response read as JSON (or text when it is not JSON). */
export interface JsonResponse {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** GET (or another method) and read the body. */
export async function request(url: string, headers: Record<string, string> = {}, init: RequestInit = {}): Promise<JsonResponse> {
  const response = await fetch(url, { ...init, headers: { ...headers, ...(init.headers as Record<string, string> | undefined) } });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: response.status, headers: response.headers, body };
}

/** RFC 3986 encoding, written out by hand rather than shared with the sandbox. */
function percent(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Options of the test signer. */
export interface SignOptions {
  timestamp?: number;
  nonce?: string;
  method?: string;
}

/** An OAuth 1.0a HMAC-SHA256 Authorization header for a URL (its query is signed too). */
export function oauth1Header(url: string, key: string, secret: string, options: SignOptions = {}): string {
  const parsed = new URL(url);
  const oauth: Record<string, string> = {
    oauth_consumer_key: key,
    oauth_nonce: options.nonce ?? randomBytes(8).toString('hex'),
    oauth_signature_method: 'HMAC-SHA256',
    oauth_timestamp: String(options.timestamp ?? Math.floor(Date.now() / 1000)),
    oauth_version: '1.0',
  };
  const pairs: string[] = [];
  for (const [name, value] of parsed.searchParams) pairs.push(`${percent(name)}=${percent(value)}`);
  for (const [name, value] of Object.entries(oauth)) pairs.push(`${percent(name)}=${percent(value)}`);
  pairs.sort();
  const baseUrl = `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  const base = `${options.method ?? 'GET'}&${percent(baseUrl)}&${percent(pairs.join('&'))}`;
  const signature = createHmac('sha256', `${percent(secret)}&`).update(base).digest('base64');
  const header = Object.entries({ ...oauth, oauth_signature: signature }).map(([k, v]) => `${k}="${percent(v)}"`);
  return `OAuth ${header.join(', ')}`;
}

/** Encodes query parameters the way a careful client does (%20, not '+'). */
export function query(params: Record<string, string | number>): string {
  return Object.entries(params).map(([k, v]) => `${percent(k)}=${percent(String(v))}`).join('&');
}

/** Fetches an OAuth2 token (HTTP Basic client auth by default). */
export async function fetchToken(credentials: Pick<SandboxOAuth2Credentials, 'tokenUrl' | 'clientId' | 'clientSecret'>, mode: 'basic' | 'form' = 'basic'): Promise<JsonResponse> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  let body = 'grant_type=client_credentials&scope=' + percent('https://purl.imsglobal.org/spec/or/v1p2/scope/roster-core.readonly');
  if (mode === 'basic') headers.authorization = `Basic ${Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`).toString('base64')}`;
  else body += `&client_id=${percent(credentials.clientId)}&client_secret=${percent(credentials.clientSecret)}`;
  return request(credentials.tokenUrl, headers, { method: 'POST', body });
}

/** Bearer headers for the 1.2 root. */
export async function bearer12(sandbox: Sandbox): Promise<Record<string, string>> {
  const token = await fetchToken(sandbox.credentials.oneroster12);
  if (token.status !== 200) throw new Error(`token request failed: ${token.status}`);
  return { authorization: `Bearer ${token.body.access_token}` };
}

/** Pages through a list by offset += rows received; returns the rows and every X-Total-Count seen. */
export async function pullAll(
  listUrl: string, headers: () => Record<string, string> | Promise<Record<string, string>>, limit: number, envelope: 'users' | 'orgs' = 'users', extra = '',
): Promise<{ rows: any[]; totals: number[]; pages: number }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const rows: unknown[] = [];
  const totals: number[] = [];
  let pages = 0;
  for (let offset = 0; pages < 10_000; pages++) {
    const page = await request(`${listUrl}?limit=${limit}&offset=${offset}${extra}`, await headers());
    if (page.status !== 200) throw new Error(`page at ${offset}: HTTP ${page.status} ${JSON.stringify(page.body)}`);
    totals.push(Number(page.headers.get('x-total-count')));
    const received = page.body[envelope] as unknown[];
    if (received.length === 0) break;
    rows.push(...received);
    offset += received.length;
    if (offset >= totals[totals.length - 1]) { pages++; break; }
  }
  return { rows, totals, pages };
}
