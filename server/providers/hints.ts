import type { ProviderKind } from '../domain/contract';
import type { ProviderErrorCode } from './types';

/** What the admin should check for each failure, in the product help's words. */
const HINTS: Record<ProviderErrorCode, string[]> = {
  tenant_not_found: ['Verify the Tenant ID', 'Confirm the application was approved in ClassLink'],
  application_disabled: ['The application is disabled for this district: enable it in the ClassLink Roster Server console'],
  unauthorized: ['The credentials were rejected or have expired'],
  forbidden: ['Check that roster permissions were granted'],
  not_found: [
    'Check the OneRoster base URL: it is the root ending in /ims/oneroster/v1p1 or /ims/oneroster/rostering/v1p2',
    'For OAuth 2.0, check the token URL too',
  ],
  unreachable: ['Check the host name, and that the provider accepts connections from this server'],
  timeout: ['The provider did not answer in time; try again later'],
  tls_error: ["The provider's HTTPS certificate could not be verified: check the URL's host name and that it uses https"],
  rate_limited: ['The provider is limiting requests; try again in a few minutes'],
  bad_response: ['Check that the base URL is the OneRoster root, not a web page or another API'],
  server_error: ['The provider had an error; try again later, and contact the provider if it persists'],
  incomplete_pull: ['The provider sent fewer records than it announced; try again later'],
  url_not_allowed: ['Use the public https address the provider gave you'],
  missing_api_key: ['This installation has no ClassLink API key: ask your Manage1to1 administrator to configure it'],
  delta_unsupported: ['The provider does not accept dateLastModified filters; run a full sync'],
  scope_refused: ['Ask the provider to grant this client the OneRoster roster-core.readonly scope'],
  no_schools: [
    "The grant has no access to any school: in the provider's console, give these credentials access to the district's schools (an Ed-Fi grant needs an education organization)",
    'Check that the credentials belong to this district',
  ],
  aborted: [],
};

/** Extra hints per provider for the codes where the provider changes what to check. */
const PROVIDER_HINTS: Partial<Record<ProviderKind, Partial<Record<ProviderErrorCode, string[]>>>> = {
  infinitecampus: {
    unauthorized: ['Check the client ID, secret and expiry date in Campus (Digital Learning Applications Configuration)'],
    not_found: ['Copy the OneRoster base URL and token URL exactly as Campus shows them'],
  },
  classlink: {
    unauthorized: ['The district may have removed or re-approved the application in ClassLink'],
  },
};

/** What to check when the token URL, rather than the OneRoster base URL, is at fault. */
export const TOKEN_URL_HINTS = ['Check the Token URL field: enter the token endpoint exactly as the provider gives it (the final address, not one that redirects)'];

/** The hints for a failure code, for a provider when it is known. */
export function hintsFor(code: ProviderErrorCode, provider?: ProviderKind): string[] {
  return [...HINTS[code], ...providerHints(code, provider)];
}

/** Only the provider's own extra hints for a code. */
export function providerHints(code: ProviderErrorCode, provider?: ProviderKind): string[] {
  return provider ? (PROVIDER_HINTS[provider]?.[code] ?? []) : [];
}
