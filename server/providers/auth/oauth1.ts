import { createHmac } from 'node:crypto';
import OAuth from 'oauth-1.0a';
import type { RequestAuth } from '../http-client';

/** OAuth 1.0a consumer credentials (two-legged, no token). */
export interface OAuth1Credentials {
  /** Consumer key. */
  clientId: string;
  /** Consumer secret. */
  clientSecret: string;
}

/**
 * Signs every request with OAuth 1.0a HMAC-SHA256 (OneRoster 1.1). The signature covers the method,
 * the URL without its query and every query parameter, so callers must send the URL exactly as
 * given here (`resourceUrl` encodes it the way the signature base string re-encodes it).
 */
export function createOAuth1Auth(credentials: OAuth1Credentials): RequestAuth {
  const oauth = new OAuth({
    consumer: { key: credentials.clientId, secret: credentials.clientSecret },
    signature_method: 'HMAC-SHA256',
    hash_function: (baseString, key) => createHmac('sha256', key).update(baseString).digest('base64'),
  });
  return {
    async headers(method, url) {
      return { ...oauth.toHeader(oauth.authorize({ url, method })) };
    },
    // A signature has nothing to refresh: a 401 means the key or secret is wrong.
    renew: async () => false,
    // Each request is signed afresh: nothing is shared that another request could replace.
    accepted: () => {},
    refusal: () => 'refused',
  };
}
