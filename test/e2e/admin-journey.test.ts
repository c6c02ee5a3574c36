import { createHostApp, type HostApp } from '../../examples/host-app/create-host-app';
import { HTML_NAME } from '../../examples/oneroster-sandbox';
import type { SandboxPerson } from '../../examples/oneroster-sandbox/types';
import { createMemoryLogger, TEST_ENCRYPTION_KEY } from '../helpers/app';
import { describeEachDatabase } from '../helpers/databases';
import { eventually, seriousAxeViolations, useChromium } from '../widget/browser';
import { SettingsPage } from '../widget/page';
import { HostTab, MOUNT, XSS_NAME } from './host-browser';

/**
 * A district admin's whole journey through the REAL example host app, with the real module, the
 * real sync engine and the sandbox provider over loopback HTTP, in Debian's Chromium:
 * sign in, configure ClassLink, sync, review history, resolve held runs, set the automation,
 * sign out; then a teacher. Steps share one browser tab and one host, so they run in order.
 */

jest.setTimeout(60_000);

/** A school whose name is markup; the Buildings page and the connection test must show it as text. */
const XSS_SCHOOL = '<img src=x onerror="window.__xss=2"> Academy';
/** Family name of the student renamed to markup, to find them on the Students page. */
const XSS_FAMILY = 'Aardvark';
/** Students the provider drops for the held-run steps (far above the 10% safeguard). */
const REMOVED_STUDENTS = 150;

const browser = useChromium();

describeEachDatabase('the admin journey through the example host app', (db) => {
  let host: HostApp;
  let baseUrl: string;
  let tab: HostTab;
  let settings: SettingsPage;
  /** The student renamed to XSS_NAME, and the sandbox's own HTML_NAME student. */
  let xssStudent: SandboxPerson;
  let htmlStudent: SandboxPerson;
  /** The held run the admin cancelled. */
  let cancelledRunId: number;
  /** The held run the admin approved. */
  let approvedRunId: number;

  const sandbox = () => host.sandbox!;

  /** Clicks a sync button and answers the id of the run it started. */
  async function startSync(kind: 'Buildings' | 'Users'): Promise<number> {
    await settings.tab('OneRoster').click();
    const started = tab.page.waitForResponse((res) => res.request().method() === 'POST' && res.url().endsWith(`/sync/${kind.toLowerCase()}`));
    await settings.button(`Sync ${kind}`).click();
    const response = await started;
    expect(response.status()).toBe(202);
    return ((await response.json()) as { run: { id: number } }).run.id;
  }

  /** Reads the Students page (searching for `q`) and answers its table rows as text. */
  async function studentRows(q: string): Promise<string[]> {
    await tab.goto(`/students?q=${encodeURIComponent(q)}`);
    return tab.page.locator('main table tbody tr').allTextContents();
  }

  beforeAll(async () => {
    host = await createHostApp({
      sequelize: db().sequelize,
      encryptionKey: TEST_ENCRYPTION_KEY,
      sessionSecret: 'e2e-session-secret',
      logger: createMemoryLogger(),
      sandbox: { schools: 5, students: 300, seed: 11 },
      // Small pages so a user sync reads several of them and its progress can be watched.
      oneroster: { http: { pageSize: 40, retryBaseMs: 5, retryMaxMs: 50, maxRetries: 1, timeoutMs: 10_000 } },
    });
    baseUrl = (await host.start(0, '127.0.0.1')).url.replace('localhost', '127.0.0.1');

    // Roster names that are markup: a school, a student we rename, and the sandbox's own HTML_NAME student.
    const school = sandbox().district.schools()[0]!;
    sandbox().district.updateSchool(school.sourcedId, { name: XSS_SCHOOL });
    const schoolIds = new Set(sandbox().district.schools().map((s) => s.sourcedId));
    const students = [...sandbox().district.people()].filter((p) => p.role === 'student');
    htmlStudent = students.find((p) => p.givenName === HTML_NAME)!;
    const plain = students.find(
      (p) => p.status === 'active' && p.enabled && p.givenName && p.givenName !== HTML_NAME && p.familyName && p.email?.includes('@') && p.identifier && schoolIds.has(p.orgs[0]!),
    )!;
    xssStudent = sandbox().district.updatePerson(plain.sourcedId, { givenName: XSS_NAME, familyName: XSS_FAMILY });
    expect(htmlStudent).toBeDefined();

    tab = await HostTab.open(browser(), baseUrl, db().name);
    settings = new SettingsPage(tab.page);
  }, 120_000);

  afterAll(async () => {
    await tab?.close();
    await host?.close();
  });

  afterEach(async () => {
    if (!tab) return; // the host did not start: beforeAll already failed loudly
    expect(tab.problems).toEqual([]);
    expect(await tab.xssMarker()).toBeUndefined();
  });

  test('signs in through the login page and adds a building by hand while OneRoster is off', async () => {
    await tab.signIn('admin', '/buildings');
    await tab.screenshot('01-buildings-manual');
    await tab.page.getByLabel('Name', { exact: true }).fill('District Office');
    await tab.page.getByRole('button', { name: 'Add building' }).click();
    await tab.page.getByRole('status').filter({ hasText: 'Added District Office.' }).waitFor();
    expect(await tab.page.locator('main table tbody tr').allTextContents()).toEqual([expect.stringContaining('District Office')]);
  });

  test('configures ClassLink on Settings: a wrong Tenant ID fails with hints, the right one passes and saves', async () => {
    await settings.open(`${baseUrl}/settings`);
    expect(await tab.page.getByRole('heading', { name: 'Settings', level: 1 }).count()).toBe(1);

    await settings.configureClassLink('999');
    expect(await settings.runTest()).toBe(false);
    const failed = (await settings.testResult.textContent()) ?? '';
    expect(failed).toContain('ClassLink does not know this Tenant ID.');
    expect(failed).toContain('Verify the Tenant ID');
    expect(failed).toContain('Confirm the application was approved in ClassLink');
    expect(await settings.saveButton.isDisabled()).toBe(true);
    await tab.screenshot('02-test-wrong-tenant');

    await settings.configureClassLink(sandbox().credentials.classlink.disabledTenantId);
    expect(await settings.runTest()).toBe(false);
    expect(await settings.testResult.textContent()).toContain('not approved or has been turned off');

    await settings.configureClassLink(sandbox().credentials.classlink.tenantId);
    expect(await settings.runTest()).toBe(true);
    const passed = (await settings.testResult.textContent()) ?? '';
    expect(passed).toMatch(/5\s*schools found/);
    expect(passed).toContain(XSS_SCHOOL);
    expect(await settings.testResult.locator('img').count()).toBe(0);
    await tab.screenshot('03-test-passed');

    await settings.save();
    expect(await settings.root.getByText('OneRoster is the roster source (ClassLink).').count()).toBe(1);
    const saved = await tab.events('oneroster-config-saved');
    expect(saved).toHaveLength(1);
    expect(saved[0]!.composed).toBe(true);
    expect(saved[0]!.detail).toMatchObject({ enabled: true, configured: true, config: { provider: 'classlink', tenantId: sandbox().credentials.classlink.tenantId } });
    await tab.screenshot('04-saved');

    // Reloading shows the saved settings: they live in the database, not in the page.
    await settings.open(`${baseUrl}/settings`);
    expect(await settings.root.getByText('OneRoster is the roster source (ClassLink).').count()).toBe(1);
    expect(await settings.root.getByLabel('Tenant ID').inputValue()).toBe(sandbox().credentials.classlink.tenantId);
  });

  test('the Buildings page refuses adding and removing while OneRoster is the roster source', async () => {
    await tab.goto('/buildings');
    expect(await tab.page.getByRole('note').textContent()).toContain('OneRoster manages the roster.');
    expect(await tab.page.getByRole('button', { name: 'Add building' }).isDisabled()).toBe(true);
    expect(await tab.page.getByRole('button', { name: 'Remove' }).first().isDisabled()).toBe(true);
    await tab.screenshot('05-buildings-locked');

    // Even a form forced open is refused by the server.
    await tab.page.locator('fieldset').evaluate((fieldset) => fieldset.removeAttribute('disabled'));
    await tab.page.getByLabel('Name', { exact: true }).fill('Sneaky Annex');
    await tab.page.getByRole('button', { name: 'Add building' }).click();
    await tab.page.getByRole('alert').filter({ hasText: 'OneRoster manages the roster' }).waitFor();
    expect(await tab.page.locator('main table tbody tr').allTextContents()).toEqual([expect.stringContaining('District Office')]);
  });

  test('syncs buildings and shows the result summary; the schools appear on the Buildings page as text', async () => {
    await settings.open(`${baseUrl}/settings`);
    expect(await settings.syncUsersButton.isDisabled()).toBe(true);
    const id = await startSync('Buildings');
    const run = await tab.waitForRunFinished(id);
    expect(run.status).toBe('succeeded');
    const result = (await settings.syncResult.textContent()) ?? '';
    expect(result).toContain('Buildings sync');
    expect(result).toContain('Succeeded');
    // Five schools and the district's District Office building.
    expect(result).toMatch(/6\s*Created/);
    expect(result).toContain('Buildings that match no school');
    expect(result).toContain('District Office');
    await tab.screenshot('06-buildings-synced');
    await eventually(async () => expect(await settings.syncUsersButton.isEnabled()).toBe(true));

    await tab.goto('/buildings');
    const rows = await tab.page.locator('main table tbody tr').allTextContents();
    expect(rows).toHaveLength(7);
    expect(rows.some((row) => row.includes(XSS_SCHOOL) && row.includes('OneRoster'))).toBe(true);
    expect(await tab.page.locator('main table img').count()).toBe(0);
  });

  test('syncs users with a moving progress bar, then shows the created counts', async () => {
    await settings.open(`${baseUrl}/settings`);
    // A slow provider, so the run takes a few seconds and its progress can be watched.
    const slow = sandbox().faults.set({ kind: 'slow', delayMs: 700, path: '/users' });
    try {
      const id = await startSync('Users');
      const values = new Set<string>();
      const amounts = new Set<string>();
      let pictured = false;
      for (;;) {
        const events = await tab.events('oneroster-sync-finished');
        if (events.some((event) => event.detail?.id === id)) break;
        const now = await settings.progressBar.getAttribute('aria-valuenow', { timeout: 500 }).catch(() => null);
        const amount = await settings.root.locator('#or-sync-progress .ms').textContent({ timeout: 500 }).catch(() => null);
        if (now !== null) values.add(now);
        if (amount) amounts.add(amount);
        if (!pictured && (Number(now) > 0 || /^[1-9]/.test(amount ?? ''))) {
          await tab.screenshot('07-users-progress');
          pictured = true;
        }
        await tab.page.waitForTimeout(150);
      }
      // At least two different positions of the bar (or of the count beside it) while it ran.
      expect(Math.max(values.size, amounts.size)).toBeGreaterThanOrEqual(2);
    } finally {
      sandbox().faults.remove(slow);
    }
    const result = (await settings.syncResult.textContent()) ?? '';
    expect(result).toContain('Students and staff sync');
    expect(result).toContain('Succeeded');
    const run = (await tab.events('oneroster-sync-finished')).at(-1)!.detail;
    const created = run.counts.kinds.students.created + run.counts.kinds.staff.created;
    expect(run.counts.kinds.students.created).toBeGreaterThan(250);
    expect(result).toMatch(new RegExp(`${created.toLocaleString('en-US').replace(',', ',?')}\\s*Created`));
    await tab.screenshot('08-users-synced');
  });

  test('the Students page lists the synced students, with markup names shown as text', async () => {
    await tab.goto('/students');
    const summary = (await tab.page.locator('main .card > p.muted').first().textContent()) ?? '';
    const active = [...sandbox().district.people()].filter((p) => p.role === 'student').length;
    const total = Number(/of ([\d,]+)/.exec(summary)?.[1]?.replace(/,/g, ''));
    // Everyone but the few the sync had to skip (no name, school not in the feed).
    expect(total).toBeGreaterThan(active - 15);
    expect(total).toBeLessThanOrEqual(active);
    expect(await tab.page.locator('main table tbody tr').count()).toBe(50);
    expect(await tab.page.locator('main table tbody tr').first().textContent()).toContain('OneRoster');

    const renamed = await studentRows(xssStudent.identifier!);
    expect(renamed).toHaveLength(1);
    expect(renamed[0]).toContain(`${XSS_FAMILY}, ${XSS_NAME}`);
    expect(renamed[0]).toContain('Active');
    await tab.screenshot('09-students-xss');
    const html = await studentRows(htmlStudent.identifier!);
    expect(html).toHaveLength(1);
    expect(html[0]).toContain(HTML_NAME);
    expect(await tab.page.locator('main table img').count()).toBe(0);
  });

  test('the history lists both runs and opens their details', async () => {
    await settings.open(`${baseUrl}/settings`);
    const table = await settings.openHistory();
    const rows = await table.getByRole('row').allTextContents();
    expect(rows).toHaveLength(3);
    expect(rows[1]).toMatch(/Users\s*#2/);
    expect(rows[1]).toContain('Succeeded');
    expect(rows[1]).toContain('Ada Admin');
    expect(rows[2]).toMatch(/Buildings\s*#1/);
    await tab.screenshot('10-history');

    const detail = await settings.openRun(2);
    const text = (await detail.textContent()) ?? '';
    expect(text).toContain('Students and staff sync #2');
    expect(text).toContain('Manual — Ada Admin');
    expect(text).toMatch(/Students\s*\d{3}/);
    expect(text).toContain('Not imported because of their role');
    await tab.screenshot('11-run-detail');

    await settings.button('← Back to history').click();
    const buildings = await settings.openRun(1);
    expect((await buildings.getByRole('row').filter({ hasText: 'Buildings' }).last().getByRole('cell').allTextContents())[0]).toBe('6');
  });

  test('holds a run that would deactivate most students: Cancel discards it, Approve applies it', async () => {
    // Students the first sync imported (named, at a school in the feed); the provider now drops them.
    const schoolIds = new Set(sandbox().district.schools().map((s) => s.sourcedId));
    const removed = [...sandbox().district.people()]
      .filter((p) => p.role === 'student' && p.status === 'active' && p.givenName && p.familyName && schoolIds.has(p.orgs[0]!))
      .slice(0, REMOVED_STUDENTS);
    expect(removed.map((p) => p.sourcedId)).toContain(xssStudent.sourcedId);
    for (const person of removed) sandbox().district.removePerson(person.sourcedId);

    await settings.open(`${baseUrl}/settings`);
    const first = await startSync('Users');
    expect((await tab.waitForRunFinished(first)).status).toBe('held');
    expect(await settings.syncResult.textContent()).toContain('Held for approval');
    await settings.button('Review the held run').click();
    const detail = settings.root.locator('oneroster-run-detail');
    await detail.getByRole('heading', { name: new RegExp(`sync #${first}$`) }).waitFor();
    const plan = (await detail.textContent()) ?? '';
    expect(plan).toMatch(new RegExp(`Students\\s*\\d{2,3}\\s*\\d{3}\\s*${REMOVED_STUDENTS}\\s*\\d+`));
    expect(plan).toContain('that would be deactivated, for example');
    expect(plan).toContain(XSS_NAME);
    expect(plan).toContain(HTML_NAME);
    expect(await detail.locator('img').count()).toBe(0);
    await tab.screenshot('12-held-run');

    // The history says it waits for a decision; the admin opens it again from there.
    await settings.button('← Back to history').click();
    const heldRow = settings.root.getByRole('row').filter({ has: tab.page.getByRole('button', { name: `Details of run ${first}` }) });
    expect(await heldRow.textContent()).toMatch(/Held for approval.*Waiting for approval/s);
    await settings.openRun(first);
    await settings.resolveHeld('cancel');
    cancelledRunId = first;
    expect(await detail.locator('.badge').first().textContent()).toBe('Cancelled');
    await tab.screenshot('13-cancelled');
    expect((await studentRows(xssStudent.identifier!))[0]).toContain('Active');

    await settings.open(`${baseUrl}/settings`);
    const second = await startSync('Users');
    expect((await tab.waitForRunFinished(second)).status).toBe('held');
    await settings.button('Review the held run').click();
    await detail.getByRole('heading', { name: new RegExp(`sync #${second}$`) }).waitFor();
    await settings.resolveHeld('approve');
    approvedRunId = second;
    await detail.locator('.badge', { hasText: 'Succeeded' }).waitFor({ timeout: 30_000 });
    const studentCells = await detail.getByRole('row').filter({ hasText: 'Students' }).first().getByRole('cell').allTextContents();
    expect(studentCells[7]).toBe(String(REMOVED_STUDENTS)); // the Deactivated column (after Re-keyed and Merged)
    await tab.screenshot('14-approved');

    await settings.button('← Back to history').click();
    await settings.root.getByRole('button', { name: `Details of run ${second}` }).waitFor();
    const rows = await settings.root.getByRole('table').getByRole('row').allTextContents();
    expect(rows[1]).toMatch(new RegExp(`Users\\s*#${second}`));
    expect(rows[1]).toContain('Succeeded');
    expect(rows[2]).toMatch(new RegExp(`Users\\s*#${first}`));
    expect(rows[2]).toContain('Cancelled');

    const gone = await studentRows(xssStudent.identifier!);
    expect(gone[0]).toContain('Inactive');
    expect(gone[0]).toContain(XSS_NAME);
    const kept = [...sandbox().district.people()].find((p) => p.role === 'student' && p.status === 'active' && p.identifier && p.givenName && p.enabled)!;
    expect((await studentRows(kept.identifier!))[0]).toContain('Active');
  });

  test('a cancelled run does not claim it changed anyone', async () => {
    await settings.open(`${baseUrl}/settings`);
    await settings.openHistory();
    const row = settings.root.getByRole('row').filter({ has: tab.page.getByRole('button', { name: `Details of run ${cancelledRunId}` }) });
    expect(await row.textContent()).toContain('Cancelled');
    expect(await row.textContent()).not.toMatch(/deactivated/);
    const detail = await settings.openRun(cancelledRunId);
    const did = detail.getByRole('table').filter({ hasText: 'What the run did' });
    const deactivated = (await did.count()) === 0 ? [] : await did.getByRole('row').filter({ hasText: 'Students' }).getByRole('cell').nth(5).allTextContents();
    expect(deactivated.filter((count) => count !== '0')).toEqual([]);
  });

  test('an approved run keeps the count of its problems', async () => {
    await settings.open(`${baseUrl}/settings`);
    await settings.openHistory();
    const detail = await settings.openRun(approvedRunId);
    const problems = detail.getByRole('table').filter({ hasText: 'Problems with single records' });
    const listed = (await problems.getByRole('row').count()) - 1;
    expect(listed).toBeGreaterThan(0);
    expect(await problems.locator('caption').textContent()).toBe(`Problems with single records (${listed})`);
  });

  test('changes the automation settings and shows the next run in the chosen timezone', async () => {
    await settings.open(`${baseUrl}/settings`);
    await settings.openAutomation();
    const nextRun = settings.root.locator('p', { hasText: 'Next run:' });
    const before = (await nextRun.textContent()) ?? '';
    expect(before).toMatch(/\(UTC\)$/);

    // Six hours from now in New York: never due while the test runs.
    const zone = 'America/New_York';
    const later = new Date(Date.now() + 6 * 3_600_000);
    const [hour, minute] = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(later).split(':');
    const dailyTime = `${hour}:${minute}`;
    const shown = new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: 'numeric', minute: '2-digit' }).format(later);

    await settings.setAutomation({ staffImport: false, dailyTime, timezone: zone });
    expect(await settings.root.getByText('Automation settings saved.').count()).toBe(1);
    const after = (await nextRun.textContent()) ?? '';
    expect(after).not.toBe(before);
    expect(after).toContain(shown);
    expect(after).toMatch(/E[SD]T \(America\/New York\)$/);
    await tab.screenshot('15-automation');

    // What the server keeps, read the way the widget reads it.
    const saved = await tab.page.evaluate(async (mount) => (await fetch(`${mount}/automation`)).json(), MOUNT);
    expect(saved).toMatchObject({ staffImport: false, studentImport: true, dailyTime, timezone: zone });
    const inHours = (Date.parse(saved.nextRunAt) - Date.now()) / 3_600_000;
    expect(inHours).toBeGreaterThan(5.5);
    expect(inHours).toBeLessThan(6.1);

    await settings.setAutomation({ paused: true });
    expect(await nextRun.textContent()).toContain('None — daily automation is paused.');
  });

  test('the Settings page inside the host layout has no serious or critical axe violations', async () => {
    await settings.open(`${baseUrl}/settings`);
    expect(await seriousAxeViolations(tab.page)).toEqual([]);
    await settings.openHistory();
    expect(await seriousAxeViolations(tab.page)).toEqual([]);
  });

  test('signs out; a teacher sees no controls, and the widget shows them why', async () => {
    await settings.open(`${baseUrl}/settings`);
    await tab.signOut();
    await tab.goto('/settings');
    await tab.page.getByRole('heading', { name: 'Sign in' }).waitFor();

    await tab.signIn('teacher', '/settings');
    expect(await tab.page.locator('main').textContent()).toContain('You need the Manage Settings permission');
    expect(await tab.page.locator('oneroster-settings').count()).toBe(0);
    expect(await tab.page.getByRole('button', { name: /Sync|Save|Test/ }).count()).toBe(0);

    // A host that renders the widget for everyone: the module itself refuses, and the widget says why.
    await tab.page.addScriptTag({ type: 'module', url: `${MOUNT}/widget/oneroster-settings.js` });
    await tab.page.evaluate((mount) => {
      const widget = document.createElement('oneroster-settings');
      widget.setAttribute('api-base', mount);
      document.querySelector('main')!.append(widget);
    }, MOUNT);
    await settings.alert.waitFor();
    expect(await settings.alert.textContent()).toContain('You need the Manage Settings permission');
    expect(await settings.root.getByRole('tab').count()).toBe(0);
    expect(await settings.root.getByRole('button', { name: /Sync|Save|Test/ }).count()).toBe(0);
    await tab.screenshot('16-teacher');
    const status = await tab.page.evaluate(async (mount) => (await fetch(`${mount}/config`)).status, MOUNT);
    expect(status).toBe(403);
  });
});
