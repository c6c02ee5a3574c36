import type { BrowserContext, Page } from 'playwright-core';
import { eventually, screenshot, seriousAxeViolations, useChromium } from './browser';
import { CSRF_TOKEN, startRealApi, XSS_NAME, type RealApi } from './real-api';
import { SettingsPage } from './page';
import type { RunView } from '../../server/domain/contract';

/**
 * The admin's journeys through <oneroster-settings> in real Chromium, against the real module
 * (mounted by test/widget/real-api.ts on SQLite) reading the sandbox provider on loopback. The
 * state each test needs (history, held runs, a run still running) is made by real syncs.
 */

jest.setTimeout(45_000);

let api: RealApi;
let context: BrowserContext;
let page: Page;
let settings: SettingsPage;
let pageErrors: string[];

const browser = useChromium();

beforeEach(async () => {
  api = await startRealApi();
  context = await browser().newContext({ viewport: { width: 1100, height: 900 }, locale: 'en-US', timezoneId: 'America/Chicago' });
  page = await context.newPage();
  pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  settings = new SettingsPage(page);
});

afterEach(async () => {
  await context?.close();
  await api?.close();
  expect(pageErrors).toEqual([]);
});


/** The sandbox's ClassLink tenant (the only one the module can resolve). */
function tenant(): string {
  return api.sandbox.credentials.classlink.tenantId;
}

/** The configuration the module has saved, as its API shows it. */
async function savedConfig() {
  return (await api.configView()).config;
}

/** The automation settings the module has saved (the view without its computed fields). */
async function automationSettings() {
  const { nextRunAt: _next, lastScheduledRun: _last, ...saved } = await api.automation();
  return saved;
}

async function hostEvents(): Promise<Array<{ type: string; detail: any; composed: boolean }>> {
  return page.evaluate(() => (window as unknown as { __events: Array<{ type: string; detail: unknown; composed: boolean }> }).__events) as never;
}

/** Every state-changing request carried the host's CSRF token and a JSON content type. */
function expectCsrfOnEveryWrite(): void {
  const writes = api.requests.filter((r) => r.method !== 'GET');
  expect(writes.length).toBeGreaterThan(0);
  for (const write of writes) {
    expect({ request: `${write.method} ${write.path}`, csrf: write.csrf }).toEqual({ request: `${write.method} ${write.path}`, csrf: CSRF_TOKEN });
    expect(write.contentType).toMatch(/^application\/json/);
  }
}

/** Roster-supplied markup stayed text: nothing ran, no element was made from it. */
async function expectNoScriptFromRosterNames(): Promise<void> {
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  const images = await page.evaluate(() => document.querySelector('oneroster-settings')!.shadowRoot!.querySelectorAll('img').length);
  expect(images).toBe(0);
}

/** The id of the focused element inside the widget. */
async function focusedId(): Promise<string> {
  return page.evaluate(() => document.querySelector('oneroster-settings')!.shadowRoot!.activeElement?.id ?? '');
}

test('configures ClassLink: a wrong Tenant ID fails with hints, the right one passes, and Save saves', async () => {
  await settings.open(`${api.url}/`);
  await settings.configureClassLink('999');
  expect(await settings.runTest()).toBe(false);
  const failed = settings.testResult;
  expect(await failed.textContent()).toContain('ClassLink does not know this Tenant ID.');
  expect(await failed.textContent()).toContain('Verify the Tenant ID');
  expect(await failed.textContent()).toContain('Confirm the application was approved in ClassLink');
  expect(await failed.getByRole('listitem').filter({ hasText: 'Resolve tenant' }).textContent()).toMatch(/✗\s*Resolve tenant\s*failed\s*\d+ ms/);
  expect(await failed.getAttribute('role')).toBe('alert');
  expect(await settings.saveButton.isDisabled()).toBe(true);
  await screenshot(page, '01-test-failed');

  await settings.configureClassLink(tenant());
  expect(await settings.runTest()).toBe(true);
  const passed = await settings.testResult.textContent();
  expect(passed).toContain('3 schools found');
  expect(passed).toContain('Lincoln Elementary');
  expect(passed).toContain(XSS_NAME);
  expect(await settings.testResult.getByRole('listitem').filter({ hasText: 'Authenticate' }).textContent()).toMatch(/✓\s*Authenticate\s*passed\s*\d+ ms/);
  await expectNoScriptFromRosterNames();
  expect(await settings.saveButton.isEnabled()).toBe(true);
  await screenshot(page, '02-test-passed');

  // Editing after a passing test disables Save until the values are tested again.
  await settings.root.getByLabel('Tenant ID').fill('23');
  expect(await settings.saveButton.isDisabled()).toBe(true);
  expect(await settings.root.getByText('You changed a field after the test').count()).toBe(1);
  await settings.root.getByLabel('Tenant ID').fill(tenant());
  expect(await settings.runTest()).toBe(true);

  await settings.save();
  expect(await settings.root.getByText('OneRoster is the roster source (ClassLink).').count()).toBe(1);
  expect((await savedConfig())).toMatchObject({ provider: 'classlink', tenantId: tenant() });
  const saved = (await hostEvents()).filter((e) => e.type === 'oneroster-config-saved');
  expect(saved).toHaveLength(1);
  expect(saved[0]!.composed).toBe(true);
  expect(saved[0]!.detail).toMatchObject({ enabled: true, configured: true, config: { provider: 'classlink', tenantId: tenant() } });
  expect(await focusedId()).toBe('or-saved');
  await screenshot(page, '03-saved');
  expectCsrfOnEveryWrite();
});

test('syncs buildings, then users with a moving progress bar, and shows the result summary', async () => {
  await api.seedConfigured();
  // What the host's CSV import left: a manual building no school matches, two students the sync links by number.
  const [first, second] = api.sandboxPeople('student');
  const now = new Date();
  const insert = (table: string, rows: object[]) => api.database.sequelize.getQueryInterface().bulkInsert(table, rows.map((row) => ({ active: true, created_at: now, updated_at: now, ...row })));
  await insert('oneroster_buildings', [{ name: 'District Office (manual)', source: 'manual' }]);
  await insert('oneroster_students', [first!, second!].map((p) => ({ first_name: p.givenName, last_name: p.familyName, student_number: p.identifier, enabled: true })));
  // A student at a school the district does not list, so it is skipped by school.
  api.sandbox.district.addPerson({ role: 'student', orgs: ['sch-999'], givenName: 'Nowhere', familyName: 'Student' });
  await settings.open(`${api.url}/`);
  expect(await settings.syncUsersButton.isDisabled()).toBe(true);
  expect(await settings.root.getByText('Sync Users is available once buildings have been synced.').isVisible()).toBe(true);

  const buildings = await settings.syncBuildings();
  expect(await buildings.textContent()).toContain('Succeeded');
  expect(await buildings.textContent()).toContain('District Office (manual)');
  await eventually(async () => expect(await settings.syncUsersButton.isEnabled()).toBe(true));

  // Slow pages, so the bar is seen between pages.
  const slow = api.sandbox.faults.set({ kind: 'slow', delayMs: 300, path: '/users' });
  await settings.syncUsers({ wait: false });
  // The buildings result is still shown while the new run is queued; focus moves once its progress shows.
  await eventually(async () => expect(await focusedId()).toBe('or-sync-progress'));
  // What the bar said, by its maximum: reading counts the provider's rows, saving the records kept.
  const seen: Array<{ max: string | null; now: number }> = [];
  let pictured = false;
  while (!(await settings.syncResult.isVisible())) {
    const now = await settings.progressBar.getAttribute('aria-valuenow', { timeout: 1000 }).catch(() => null);
    const max = await settings.progressBar.getAttribute('aria-valuemax', { timeout: 1000 }).catch(() => null);
    const last = seen[seen.length - 1];
    if (now !== null && (last?.now !== Number(now) || last.max !== max)) seen.push({ max, now: Number(now) });
    if (!pictured && Number(now) > 0) {
      await screenshot(page, '04-sync-progress');
      pictured = true;
    }
    await page.waitForTimeout(150);
  }
  api.sandbox.faults.remove(slow);

  const run = (await api.call<{ items: Array<{ id: number }> }>('GET', '/runs?kind=users')).items[0]!;
  const counts = (await api.call<RunView>('GET', `/runs/${run.id}`)).counts;
  const created = counts.kinds.students!.created + counts.kinds.staff!.created;
  // While reading, the bar's maximum is the number of /users rows the provider announced (all of which
  // the run read), and the bar moved forward through at least two values.
  const reading = seen.filter((s) => s.max === String(counts.reconciliation!.pulled)).map((s) => s.now);
  expect(new Set(reading).size).toBeGreaterThanOrEqual(2);
  expect([...reading].sort((a, b) => a - b)).toEqual(reading);
  expect(counts.reconciliation!.pulled).toBeGreaterThanOrEqual(api.sandbox.district.counts().people);
  expect(counts.kinds.students!.linked).toBe(2);
  expect(counts.skippedBySchool).toMatchObject({ 'sch-999': 1 });
  const result = (await settings.syncResult.textContent()) ?? '';
  expect(result).toContain('Students and staff sync');
  expect(result).toContain('Succeeded');
  expect(result).toMatch(new RegExp(`${created}\\s*Created`));
  expect(result).toMatch(/2\s*Linked/);
  expect(result).toContain('sch-999');
  expect(result).toContain(`guardian: ${api.sandbox.district.counts().byRole.guardian}`);
  expect(await settings.syncResult.getAttribute('role')).toBe('status');
  await screenshot(page, '05-sync-result');

  const finished = (await hostEvents()).filter((e) => e.type === 'oneroster-sync-finished');
  expect(finished.map((e) => `${e.detail.kind}:${e.detail.status}`)).toEqual(['buildings:succeeded', 'users:succeeded']);
  expectCsrfOnEveryWrite();
});

test('picks up a running sync again after a page reload and follows it to the end', async () => {
  await api.seedConfigured({ buildingsSynced: true });
  // Slow pages keep the run running across the reload.
  const slow = api.sandbox.faults.set({ kind: 'slow', delayMs: 400, path: '/users' });
  await settings.open(`${api.url}/`);
  await settings.syncUsers({ wait: false });
  await eventually(async () => expect(Number(await settings.progressBar.getAttribute('aria-valuenow'))).toBeGreaterThan(0));

  await page.reload();
  await settings.progressBar.waitFor();
  expect(Number(await settings.progressBar.getAttribute('aria-valuenow'))).toBeGreaterThan(0);
  // The progress panel names the phase (the status header above it may name it too).
  const progress = settings.root.locator('#or-sync-progress');
  expect(await progress.getByText('Reading from the provider').or(progress.getByText('Saving changes')).count()).toBe(1);
  expect(await settings.syncUsersButton.isDisabled()).toBe(true);

  api.sandbox.faults.remove(slow);
  const result = await settings.waitForSyncResult();
  expect(await result.textContent()).toContain('Succeeded');
  expect((await hostEvents()).some((e) => e.type === 'oneroster-sync-finished' && e.detail.status === 'succeeded')).toBe(true);
});

test('lists the history in pages and opens a run with counts, issues and errors', async () => {
  await api.seedConfigured({ buildingsSynced: true });
  // Runs 2 to 25: users on odd ids, buildings on even ones; run 22 fails on a provider that keeps answering 429.
  for (let id = 2; id <= 24; id += 1) {
    const limited = id === 22 ? api.sandbox.faults.set({ kind: 'rateLimit', retryAfterSeconds: 0 }) : null;
    const run = await api.syncAndWait(id % 2 === 1 ? 'users' : 'buildings');
    if (limited) api.sandbox.faults.remove(limited);
    expect({ id: run.id, status: run.status }).toEqual({ id, status: id === 22 ? 'failed' : 'succeeded' });
  }
  // Run 25 finds a person with no family name and one whose email is not valid, and some changes.
  api.sandbox.district.changeRandomPeople(0.1, 3);
  api.sandbox.district.addPerson({ role: 'student', givenName: 'Nameless', familyName: '' });
  api.sandbox.district.addPerson({ role: 'student', givenName: XSS_NAME, familyName: 'Mail', email: 'not an address' });
  await settings.open(`${api.url}/`);
  await settings.syncUsers();
  const table = await settings.openHistory();
  expect(await table.getByRole('row').count()).toBe(11);
  expect(await settings.root.getByText('Showing 1–10 of 25').count()).toBe(1);
  await settings.button('Older').click();
  await settings.root.getByText('Showing 11–20 of 25').waitFor();
  await settings.button('Newer').click();
  await settings.root.getByText('Showing 1–10 of 25').waitFor();
  const firstRow = await table.getByRole('row').nth(1).textContent();
  expect(firstRow).toMatch(/Users\s*#25/);
  expect(firstRow).toContain('Succeeded');
  expect(firstRow).toContain('Ada Admin');
  await screenshot(page, '06-history');

  const students = (await api.call<RunView>('GET', '/runs/25')).counts.kinds.students!;
  expect(students.created).toBeGreaterThan(0);
  expect(students.updated).toBeGreaterThan(0);
  const detail = await settings.openRun(25);
  expect(await focusedId()).toBe('or-run-heading');
  const text = (await detail.textContent()) ?? '';
  expect(text).toContain('Students and staff sync #25');
  expect(text).toMatch(/no family name/i);
  expect(text).toContain('The email address is not valid; it was left out and the person kept.');
  expect(await detail.getByRole('row').filter({ hasText: 'Students' }).first().textContent()).toMatch(new RegExp(`Students\\s*${students.created}\\s*${students.updated}`));
  await expectNoScriptFromRosterNames();
  await screenshot(page, '07-run-detail');

  await settings.button('← Back to history').click();
  await settings.root.getByRole('button', { name: 'Details of run 25' }).waitFor();
  await eventually(async () => expect(await page.evaluate(() => document.querySelector('oneroster-settings')!.shadowRoot!.activeElement?.getAttribute('data-run-id'))).toBe('25'));

  const failed = await settings.openRun(22);
  expect(await failed.textContent()).toContain('The provider is limiting requests right now.');
}, 180_000);

test('resolves held runs: shows the plan, cancels one and approves the next', async () => {
  await api.seedConfigured({ buildingsSynced: true });
  const students = api.sandboxPeople('student');
  api.sandbox.district.updatePerson(students[0]!.sourcedId, { givenName: XSS_NAME, familyName: 'Script' });
  api.sandbox.district.updatePerson(students[1]!.sourcedId, { givenName: 'Grace', familyName: 'Hopper' });
  await api.syncAndWait('users');
  // Two students in five vanish from the provider: more than the safeguard lets a sync deactivate
  // unasked, less than the half that would ask the admin to type the number.
  const leaving = students.slice(0, Math.ceil(students.length * 0.4));
  for (const person of leaving) api.sandbox.district.removePerson(person.sourcedId);
  const first = await api.syncAndWait('users');
  expect(first.status).toBe('held');
  const { planned, active, threshold } = first.plan!.deactivations.students!;

  await settings.open(`${api.url}/`);
  await settings.openHistory();
  const detail = await settings.openRun(first.id);
  const text = (await detail.textContent()) ?? '';
  expect(planned).toBeGreaterThan(threshold);
  expect(text).toMatch(new RegExp(`Students\\s*[\\d,—]+\\s*${active}\\s*${planned}\\s*${threshold}`));
  expect(text).toContain('Grace Hopper');
  expect(text).toContain(XSS_NAME);
  await expectNoScriptFromRosterNames();
  await screenshot(page, '08-held-run');
  await settings.resolveHeld('cancel');
  expect(await detail.locator('.badge').first().textContent()).toBe('Cancelled');

  // The provider still lacks them, so the next sync is held again.
  const second = await api.syncAndWait('users');
  expect(second.status).toBe('held');
  await settings.button('← Back to history').click();
  await settings.openRun(second.id);
  // Backing out of the confirmation changes nothing.
  await settings.button('Approve and apply').click();
  await screenshot(page, '09-approve-dialog');
  await settings.answerDialog(false);
  expect(api.requests.some((r) => r.path.endsWith('/approve'))).toBe(false);

  await settings.resolveHeld('approve');
  await detail.locator('.badge', { hasText: 'Succeeded' }).waitFor({ timeout: 15_000 });
  await eventually(async () =>
    expect((await hostEvents()).some((e) => e.type === 'oneroster-sync-finished' && e.detail.id === second.id)).toBe(true),
  );
  expect(api.requests.filter((r) => r.method === 'POST').map((r) => r.path)).toEqual([`/runs/${first.id}/cancel`, `/runs/${second.id}/approve`]);
  expectCsrfOnEveryWrite();
}, 90_000);

test('changes the automation settings, shows a field error, and the next run in the chosen timezone', async () => {
  await api.seedConfigured({ buildingsSynced: true });
  await settings.open(`${api.url}/`);
  await settings.openAutomation();
  expect(await settings.root.getByText(/Next run:.*2:00\s?AM CST \(America\/Chicago\)/).count()).toBe(1);

  await settings.setAutomation({ fullSyncEvery: 0 });
  const days = settings.root.getByLabel('Full sync every');
  expect(await days.getAttribute('aria-invalid')).toBe('true');
  expect(await settings.root.getByText('Enter a whole number of days between 1 and 30.').isVisible()).toBe(true);
  expect(await settings.alert.textContent()).toContain('Some fields need attention');

  await settings.setAutomation({ staffImport: false, dailyTime: '05:30', timezone: 'America/New_York', fullSyncEvery: 5 });
  expect(await automationSettings()).toEqual({
    studentImport: true, staffImport: false, dailyTime: '05:30', timezone: 'America/New_York', fullSyncEvery: 5, paused: false, deactivateMissing: true,
    gradeMatrix: {}, districtOffices: true, orgBuildings: {},
  });
  expect(await settings.root.getByText(/Next run:.*5:30\s?AM E[SD]T \(America\/New York\)/).count()).toBe(1);
  await screenshot(page, '10-automation');

  await settings.setAutomation({ paused: true });
  expect(await settings.root.getByText('None — daily automation is paused.').count()).toBe(1);
  expect((await automationSettings()).paused).toBe(true);
  expectCsrfOnEveryWrite();
});

test('edits the Grade Level Matrix in the Automation tab and saves it on its own', async () => {
  await api.seedConfigured({ buildingsSynced: true });
  await settings.open(`${api.url}/`);
  await settings.openAutomation();
  await settings.root.getByRole('button', { name: 'Add grade' }).click();
  await settings.root.getByLabel('Incoming value 1').fill('First grade');
  await settings.root.getByLabel('District label 1').fill('Gr 1');
  await settings.root.getByRole('button', { name: 'Add grade' }).click();
  await settings.root.getByLabel('Incoming value 2').fill('KG');
  await settings.root.getByLabel('District label 2').fill('Kinder');
  await settings.root.getByRole('button', { name: 'Save grade matrix' }).click();
  await settings.root.getByText('Grade Level Matrix saved.', { exact: false }).waitFor();
  expect((await automationSettings()).gradeMatrix).toEqual({ 'First grade': 'Gr 1', KG: 'Kinder' });

  await settings.root.getByRole('button', { name: 'Remove row 1' }).click();
  await settings.root.getByRole('button', { name: 'Save grade matrix' }).click();
  await eventually(async () => expect((await automationSettings()).gradeMatrix).toEqual({ KG: 'Kinder' }));
  // The rest of the automation settings were left as they were.
  expect(await automationSettings()).toMatchObject({ dailyTime: '02:00', studentImport: true, districtOffices: true });
  expectCsrfOnEveryWrite();
});

test('shows field errors next to their fields and confirms a provider switch before saving it', async () => {
  await api.seedConfigured({ buildingsSynced: true });
  await settings.open(`${api.url}/`);
  const campus = api.sandbox.credentials.infinitecampus;
  await settings.configureInfiniteCampus({ baseUrl: 'campus.example.org', tokenUrl: campus.tokenUrl, clientId: campus.clientId });
  await settings.button('Test Configuration').click();
  await settings.root.getByText('Enter a full address starting with https://.').waitFor();
  expect(await settings.root.getByLabel('OneRoster base URL').getAttribute('aria-invalid')).toBe('true');
  await screenshot(page, '11-field-errors');
  // The module checks the fields' shapes first; the missing secret is named once the addresses are valid.
  await settings.configureInfiniteCampus({ baseUrl: campus.baseUrl, tokenUrl: campus.tokenUrl, clientId: campus.clientId });
  await settings.button('Test Configuration').click();
  await settings.root.getByText('Enter the client secret.').waitFor();
  expect(await settings.root.getByLabel('Client secret').getAttribute('aria-invalid')).toBe('true');

  await settings.configureInfiniteCampus({ baseUrl: campus.baseUrl, tokenUrl: campus.tokenUrl, clientId: campus.clientId, clientSecret: campus.clientSecret });
  expect(await settings.runTest()).toBe(true);
  await settings.save();
  expect(await settings.dialog.getByRole('heading').textContent()).toBe('Switch from ClassLink to Infinite Campus?');
  await screenshot(page, '12-provider-switch');
  await settings.answerDialog(false);
  expect(await settings.alert.filter({ hasText: 'Nothing was saved' }).count()).toBe(1);
  expect((await savedConfig())?.provider).toBe('classlink');

  await settings.save({ confirmSwitch: true });
  expect((await savedConfig())).toMatchObject({ provider: 'infinitecampus', clientId: campus.clientId, version: '1.2' });
  const puts = api.requests.filter((r) => r.method === 'PUT' && r.path === '/config').map((r) => r.body as Record<string, unknown>);
  // Each Save asks first without the confirmation; only the confirmed retry carries it.
  expect(puts.map((body) => body.confirmProviderSwitch ?? false)).toEqual([false, false, true]);
  // The secret is write-only: never shown back, only that one is set.
  expect(await settings.root.getByLabel('Client secret').inputValue()).toBe('');
  expect(await settings.root.getByText('Set — leave blank to keep the saved secret (kept only while the client ID and server addresses stay the same).').count()).toBe(1);
  expect(JSON.stringify(await hostEvents())).not.toContain(campus.clientSecret);
  expectCsrfOnEveryWrite();
});

test('a user without Manage Settings sees why and no controls; a lost session says to sign in', async () => {
  await api.seedConfigured({ buildingsSynced: true });
  api.user = 'teacher';
  await settings.open(`${api.url}/`);
  expect(await settings.alert.textContent()).toContain('You need the Manage Settings permission');
  expect(await settings.root.getByRole('tab').count()).toBe(0);
  expect(await settings.root.getByRole('button', { name: /Sync|Save|Test/ }).count()).toBe(0);
  await screenshot(page, '13-forbidden');

  api.user = 'nobody';
  await settings.open(`${api.url}/`);
  expect(await settings.alert.textContent()).toBe('Your session has ended. Sign in again.');
  expect(await settings.root.getByRole('tab').count()).toBe(0);
});

test('sends a token given as a property in the header named by csrf-header, also when turning OneRoster off', async () => {
  api.csrfHeader = 'x-xsrf-token';
  await settings.open(`${api.url}/?csrfVia=property&csrfHeader=X-XSRF-Token`);
  await settings.configureClassLink(tenant());
  expect(await settings.runTest()).toBe(true);
  await settings.save();
  await settings.button('Turn off OneRoster').click();
  expect(await settings.dialog.getByRole('heading').textContent()).toBe('Turn off OneRoster?');
  await settings.answerDialog(true);
  await settings.root.getByText(/^OneRoster is off/).waitFor();
  expect(api.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`)).toEqual(['POST /config/test', 'PUT /config', 'DELETE /config']);
  expectCsrfOnEveryWrite();
  expect((await hostEvents()).map((e) => e.type)).toEqual(['oneroster-config-saved', 'oneroster-config-disabled']);
});

test('loading the script twice is harmless', async () => {
  const scripts: string[] = [];
  page.on('response', (response) => {
    if (response.url().includes('/widget/oneroster-settings.js')) scripts.push(`${response.status()} ${response.url()}`);
  });
  await settings.open(`${api.url}/?twice=1`);
  expect(scripts).toHaveLength(2);
  expect(await settings.root.getByRole('tab').count()).toBe(4);
  expect(await page.evaluate(() => typeof customElements.get('oneroster-settings'))).toBe('function');
});

test('every tab passes axe with no serious or critical violations, and the tabs work by keyboard', async () => {
  // Runs 1 to 4 synced, then run 5 held by the safeguard.
  await api.seedConfigured({ buildingsSynced: true });
  await api.syncAndWait('users');
  await api.syncAndWait('buildings');
  await api.syncAndWait('users');
  const students = api.sandboxPeople('student');
  for (const person of students.slice(0, Math.ceil(students.length * 0.4))) api.sandbox.district.removePerson(person.sourcedId);
  expect((await api.syncAndWait('users')).status).toBe('held');
  await settings.open(`${api.url}/`);
  await settings.configureClassLink('999');
  await settings.runTest();
  expect(await seriousAxeViolations(page)).toEqual([]);
  await settings.configureClassLink(tenant());
  await settings.runTest();
  expect(await seriousAxeViolations(page)).toEqual([]);

  await settings.openAutomation();
  expect(await seriousAxeViolations(page)).toEqual([]);
  await settings.openHistory();
  expect(await seriousAxeViolations(page)).toEqual([]);
  await settings.openRun(5);
  expect(await seriousAxeViolations(page)).toEqual([]);
  await settings.button('Approve and apply').click();
  expect(await seriousAxeViolations(page)).toEqual([]);
  await settings.answerDialog(false);

  await settings.tab('OneRoster').click();
  await settings.tab('OneRoster').focus();
  await page.keyboard.press('ArrowRight');
  expect(await settings.tab('Automation').getAttribute('aria-selected')).toBe('true');
  expect(await focusedId()).toBe('or-tab-automation');
  await page.keyboard.press('End');
  expect(await focusedId()).toBe('or-tab-history');
  await page.keyboard.press('ArrowRight');
  expect(await focusedId()).toBe('or-tab-oneroster');
  expect(await settings.tab('OneRoster').getAttribute('aria-selected')).toBe('true');
  expect(await settings.tab('History').getAttribute('tabindex')).toBe('-1');
});
