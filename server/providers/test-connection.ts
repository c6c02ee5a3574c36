import type { SchoolSample, TestResult, TestStep, TestStepName } from '../domain/contract';
import { firstSchoolsPage } from './connection';
import { hintsFor, providerHints } from './hints';
import { createSession } from './session';
import { ProviderError, type ProviderDeps, type ProviderSettings } from './types';

/** Schools listed by a passing test. */
const SAMPLE_SIZE = 50;
/** An admin is waiting: retry less than a sync would. */
const TEST_MAX_RETRIES = 2;

/**
 * Tests a configuration the way the admin's "Test Configuration" shows it: find the tenant
 * (ClassLink), authenticate, read the first page of schools. Each step is timed; the first failure
 * ends the test with its code, message and hints. Never throws for a failed test.
 */
export async function testProviderConnection(settings: ProviderSettings, deps: ProviderDeps): Promise<TestResult> {
  const session = createSession(settings, deps, { maxRetries: Math.min(deps.options.http.maxRetries, TEST_MAX_RETRIES) });
  const steps: TestStep[] = [];

  async function step<T>(name: TestStepName, run: () => Promise<T>, describe: (value: T) => string): Promise<T> {
    const started = Date.now();
    try {
      const value = await run();
      steps.push({ name, ok: true, ms: Date.now() - started, message: describe(value) });
      return value;
    } catch (err) {
      const message = err instanceof ProviderError ? err.message : 'The test failed unexpectedly.';
      steps.push({ name, ok: false, ms: Date.now() - started, message });
      throw err;
    }
  }

  try {
    if (settings.provider === 'classlink') {
      await step('resolve_tenant', () => session.resolveTenant(), (tenant) =>
        tenant?.name ? `Found ${tenant.name} (Tenant ID ${tenant.tenantId}).` : `Found Tenant ID ${tenant?.tenantId ?? ''}.`,
      );
    }
    await step(
      'authenticate',
      async () => {
        // OAuth 2.0 has a token to fetch; signed (OAuth 1.0a) and bearer requests prove themselves on a one-row read.
        if (await session.fetchToken()) return 'The provider issued an access token.';
        await firstSchoolsPage(session, 1);
        return settings.provider === 'classlink' ? 'ClassLink accepted the district’s credentials.' : 'The provider accepted the signed request.';
      },
      (message) => message,
    );
    const { page, count } = await step(
      'read_schools',
      async () => {
        const first = await firstSchoolsPage(session, deps.options.http.pageSize);
        // Schools marked tobedeleted are no schools to sync into; the count leaves them out.
        const leaving = first.records.filter((school) => school.status === 'tobedeleted').length;
        const count = Math.max(0, (first.total ?? first.records.length) - leaving);
        if (count === 0) {
          // A grant without school access answers every list with [] and 200 (Ed-Fi does): saving it would sync nobody.
          throw new ProviderError('no_schools', 'The provider answered, but these credentials see no active schools.', { hints: hintsFor('no_schools', settings.provider) });
        }
        return { page: first, count };
      },
      ({ count }) => `Found ${count} ${count === 1 ? 'school' : 'schools'}.`,
    );
    const sample: SchoolSample[] = page.records
      .filter((school) => school.status !== 'tobedeleted')
      .slice(0, SAMPLE_SIZE)
      .map((school) => ({ sourcedId: school.sourcedId, name: school.name, identifier: school.identifier }));
    deps.logger.info('provider connection tested', { provider: settings.provider, ok: true });
    return { ok: true, steps, schools: { count, sample } };
  } catch (err) {
    if (!(err instanceof ProviderError)) throw err;
    const code = err.code === 'delta_unsupported' || err.code === 'aborted' ? 'bad_response' : err.code;
    deps.logger.info('provider connection tested', { provider: settings.provider, ok: false, code, step: steps[steps.length - 1]?.name });
    // The failure's own hints fit its cause best (a refused scope, a token URL that redirects); the provider's extras follow.
    const hints = err.hints.length > 0 && code === err.code ? [...new Set([...err.hints, ...providerHints(code, settings.provider)])] : hintsFor(code, settings.provider);
    return { ok: false, steps, error: { code, message: err.message, hints } };
  }
}
