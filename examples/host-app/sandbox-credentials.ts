import type { startSandbox } from '../oneroster-sandbox';
import type { CredentialGroup } from './views/settings';

/** A running sandbox provider, as `startSandbox` returns it. */
export type RunningSandbox = Awaited<ReturnType<typeof startSandbox>>;

/**
 * The sandbox's credentials grouped by the provider choice of the Settings widget, in the order
 * its fields appear, for the Settings page and the start-up banner. These are throwaway values
 * of a local fake district, so showing them is fine; real provider secrets are never shown.
 */
export function describeSandboxCredentials(sandbox: RunningSandbox): CredentialGroup[] {
  const { classlink, oneroster11, oneroster12, infinitecampus } = sandbox.credentials;
  return [
    { title: 'ClassLink', fields: [['Tenant ID', classlink.tenantId]] },
    {
      title: 'Infinite Campus (OneRoster 1.2)',
      fields: [
        ['Base URL', infinitecampus.baseUrl],
        ['Token URL', infinitecampus.tokenUrl],
        ['Client ID', infinitecampus.clientId],
        ['Client secret', infinitecampus.clientSecret],
      ],
    },
    {
      title: 'Other provider, OneRoster 1.1 with OAuth 1.0a',
      fields: [
        ['Base URL', oneroster11.baseUrl],
        ['Key', oneroster11.clientId],
        ['Secret', oneroster11.clientSecret],
      ],
    },
    {
      title: 'Other provider, OneRoster 1.2 with OAuth 2.0',
      fields: [
        ['Base URL', oneroster12.baseUrl],
        ['Token URL', oneroster12.tokenUrl],
        ['Client ID', oneroster12.clientId],
        ['Client secret', oneroster12.clientSecret],
      ],
    },
  ];
}
