import path from 'node:path';
import { createHostApp, type HostApp } from '../../examples/host-app/create-host-app';
import { createMemoryLogger, TEST_ENCRYPTION_KEY } from '../helpers/app';
import { describeEachDatabase } from '../helpers/databases';
import { eventually, seriousAxeViolations, useChromium } from '../widget/browser';
import { SettingsPage } from '../widget/page';
import type { Locator } from 'playwright-core';
import { HostTab } from './host-browser';
import { internalsOf } from '../../server/create-oneroster';

/**
 * The admin console in Chromium against the real example host, module and sandbox provider:
 * building matching before the first sync, Preview, a manual sync with the automatic toggles off,
 * the status header after a reload, a held run superseded by a newer one, type-to-approve, the
 * approver on the run, Automation Status, and the History table at 390, 1280 and 1920 px.
 * Screenshots of each new view at 1280×800 are taken on every run; `npm run screenshots` writes them
 * to docs/screenshots/ (committed, shown in the README), a plain test run to the git-ignored
 * test-artifacts/ so that running the tests never dirties the work tree.
 */

jest.setTimeout(90_000);

const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1'
  ? path.resolve(__dirname, '..', '..', 'docs', 'screenshots')
  : path.resolve(__dirname, '..', '..', 'test-artifacts', 'console');
const browser = useChromium();

describeEachDatabase('the admin console in the example host', (db) => {
  let host: HostApp;
  let baseUrl: string;
  let tab: HostTab;
  let settings: SettingsPage;
  let matchedSchool: string;
  const sandbox = () => host.sandbox!;

  /** A 1280×800 picture with `view` at its top, for the README (SQLite run only: one set of pictures). */
  async function picture(name: string, view: Locator): Promise<void> {
    if (db().name !== 'sqlite') return;
    await tab.page.setViewportSize({ width: 1280, height: 800 });
    await view.evaluate((element) => element.scrollIntoView({ block: 'start' }));
    await tab.page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
  }

  async function startUsers(button: 'Sync Users' | 'Preview (dry run)'): Promise<number> {
    await settings.tab('OneRoster').click();
    const started = tab.page.waitForResponse((res) => res.request().method() === 'POST' && res.url().endsWith('/sync/users'));
    await settings.button(button).click();
    return ((await (await started).json()) as { run: { id: number } }).run.id;
  }

  beforeAll(async () => {
    host = await createHostApp({
      sequelize: db().sequelize,
      encryptionKey: TEST_ENCRYPTION_KEY,
      sessionSecret: 'console-session-secret',
      logger: createMemoryLogger(),
      sandbox: { schools: 4, students: 120, seed: 17 },
      // No catch-up at start: between 02:00 and 08:00 UTC it would record today's slot as a failed
      // day (nothing is configured yet) and the Automation Status test would count four failures, not three.
      oneroster: { missedRunWindowMs: 0, http: { pageSize: 50, retryBaseMs: 5, retryMaxMs: 50, maxRetries: 1, timeoutMs: 10_000 } },
    });
    baseUrl = (await host.start(0, '127.0.0.1')).url.replace('localhost', '127.0.0.1');
    tab = await HostTab.open(browser(), baseUrl, `console-${db().name}`);
    settings = new SettingsPage(tab.page);
  }, 120_000);

  afterAll(async () => {
    await tab?.close();
    await host?.close();
  });

  afterEach(() => {
    if (tab) expect(tab.problems).toEqual([]);
  });

  test('matches an existing building to its school before the first sync, so the sync adds no duplicate', async () => {
    const school = sandbox().district.schools()[1]!;
    matchedSchool = school.name;
    await tab.signIn('admin', '/buildings');
    // The district typed the name by hand, in its own capitals.
    await tab.page.getByLabel('Name', { exact: true }).fill(school.name.toUpperCase());
    await tab.page.getByRole('button', { name: 'Add building' }).click();
    await tab.page.getByRole('status').filter({ hasText: 'Added' }).waitFor();

    await settings.open(`${baseUrl}/settings`);
    await settings.configureClassLink(sandbox().credentials.classlink.tenantId);
    expect(await settings.runTest()).toBe(true);
    await settings.save();
    const step = settings.root.locator('oneroster-building-matching');
    const select = step.getByLabel(`School for ${school.name.toUpperCase()}`);
    await select.waitFor();
    expect(await select.inputValue()).toBe(school.sourcedId);
    expect(await step.getByRole('row').filter({ hasText: school.name.toUpperCase() }).textContent()).toContain('same name');
    expect(await seriousAxeViolations(tab.page)).toEqual([]);
    await picture('building-matching', step);
    await step.getByRole('button', { name: 'Save matches' }).click();
    await step.getByText(/^Saved\. 1 building is matched/).waitFor();

    await settings.tab('OneRoster').click();
    await settings.button('Sync Buildings').click();
    await settings.syncResult.filter({ hasText: 'Succeeded' }).waitFor({ timeout: 30_000 });
    // Two more schools and the district's District Office building are created.
    expect(await settings.syncResult.textContent()).toMatch(/4\s*Created.*1\s*Updated/s);
    await tab.goto('/buildings');
    expect(await tab.page.locator('main table tbody tr').count()).toBe(5);
  });

  test('Preview plans without changing anything; Sync Users imports both kinds with the automatic toggles off', async () => {
    await settings.open(`${baseUrl}/settings`);
    await settings.setAutomation({ studentImport: false, staffImport: false });
    const preview = await startUsers('Preview (dry run)');
    expect((await tab.waitForRunFinished(preview)).dryRun).toBe(true);
    const result = (await settings.syncResult.textContent()) ?? '';
    expect(result).toContain('Preview only: nothing was changed.');
    expect(result).toMatch(/Students\s*\d+/);
    expect(await seriousAxeViolations(tab.page)).toEqual([]);
    await picture('preview', settings.syncResult);

    const id = await startUsers('Sync Users');
    const run = await tab.waitForRunFinished(id);
    expect(run.status).toBe('succeeded');
    expect(run.counts.kinds.students.created).toBeGreaterThan(50);
    expect(run.counts.kinds.staff.created).toBeGreaterThan(0);
    // Focus moved from the progress to the result.
    await eventually(async () => expect(await tab.page.evaluate(() => document.querySelector('oneroster-settings')!.shadowRoot!.activeElement?.id)).toBe('or-sync-result'));
  });

  test('a held run shows in the status header after a reload; a newer run supersedes it', async () => {
    const students = [...sandbox().district.people()].filter((p) => p.role === 'student');
    for (const student of students) sandbox().district.removePerson(student.sourcedId);
    await settings.open(`${baseUrl}/settings`);
    const first = await startUsers('Sync Users');
    expect((await tab.waitForRunFinished(first)).status).toBe('held');

    await settings.open(`${baseUrl}/settings`);
    const header = settings.root.locator('oneroster-status-header');
    await header.getByText(/changes are waiting for your approval/).waitFor();
    expect(await header.textContent()).toContain(`sync #${first}`);
    const status = await tab.page.evaluate(() => document.querySelector('oneroster-settings')!.status());
    expect(status).toMatchObject({ heldRun: { id: first, status: 'held' }, lastRun: { id: first } });
    expect(await seriousAxeViolations(tab.page)).toEqual([]);
    await picture('status-header', header);
    const changes = await tab.events('oneroster-status-changed');
    expect(changes.at(-1)).toMatchObject({ composed: true, detail: { heldRun: { id: first } } });

    const second = await startUsers('Sync Users');
    expect((await tab.waitForRunFinished(second)).status).toBe('held');
    await eventually(async () => expect(await header.textContent()).toContain(`sync #${second}`));
    await settings.openHistory();
    const firstRow = settings.root.getByRole('row').filter({ has: tab.page.getByRole('button', { name: `Details of run ${first}` }) });
    expect(await firstRow.textContent()).toContain(`Replaced by run #${second}`);
  });

  test('the review says the provider sent no students, makes Cancel the default, and asks for the number to approve', async () => {
    await settings.tab('OneRoster').click();
    await settings.root.locator('oneroster-status-header').getByRole('button', { name: 'Review' }).click();
    const detail = settings.root.locator('oneroster-run-detail');
    await detail.getByText('Held for approval: nothing has been changed yet').waitFor();
    const text = (await detail.textContent()) ?? '';
    expect(text).toContain('Likely cause: the provider sent no students.');
    expect(await detail.locator('.samples li').first().textContent()).toMatch(/, number \S+, /);
    expect(await settings.button('Cancel run (safe)').getAttribute('part')).toContain('button-primary');
    const approve = settings.button('Approve and apply');
    expect(await approve.isDisabled()).toBe(true);
    await settings.root.getByLabel(/To approve, type the number/).fill('1');
    expect(await approve.isDisabled()).toBe(true);
    expect(await seriousAxeViolations(tab.page)).toEqual([]);
    await picture('held-review', detail.locator('[part="held-plan"]'));
    await settings.resolveHeld('approve');
    await detail.locator('.badge', { hasText: 'Succeeded' }).waitFor({ timeout: 30_000 });
    expect(await detail.locator('#or-run-decision').textContent()).toMatch(/^Ada Admin, /);
  });

  test('Automation Status: green after daily successes, red after three failures in a row; a day opens its run', async () => {
    await settings.setAutomation({ studentImport: true, staffImport: true });
    const school = sandbox().district.schools()[0]!.sourcedId;
    for (let i = 0; i < 40; i += 1) sandbox().district.addPerson({ role: 'student', orgs: [school] });
    const day = 24 * 60 * 60 * 1000;
    const daily = (daysAgo: number) => internalsOf(host.oneroster).scheduler.runSlot(new Date(Date.now() - daysAgo * day));
    for (const daysAgo of [6, 5, 4]) expect(await daily(daysAgo)).toMatchObject({ status: 'ran', outcome: 'succeeded' });

    await settings.open(`${baseUrl}/settings`);
    await settings.tab('Automation Status').click();
    const view = settings.root.locator('oneroster-automation-status');
    await view.locator('#or-health.healthy').waitFor();
    expect(await view.locator('#or-active-now').textContent()).toMatch(/Now: 40 active students, \d+ active staff/);

    const outage = sandbox().faults.set({ kind: 'serverError', status: 503 });
    try {
      for (const daysAgo of [3, 2, 1]) expect(await daily(daysAgo)).toMatchObject({ status: 'ran', outcome: 'failed' });
    } finally {
      sandbox().faults.remove(outage);
    }
    await settings.open(`${baseUrl}/settings`);
    await settings.tab('Automation Status').click();
    await view.locator('#or-health.failing').waitFor();
    expect(await view.locator('#or-health').textContent()).toContain('the last 3 daily runs did not succeed');
    expect(await view.locator('.heatmap li').count()).toBe(30);
    expect(await view.locator('.heatmap .cell.succeeded').count()).toBe(3);
    expect(await view.locator('.heatmap .cell.failed').count()).toBe(3);
    expect(await seriousAxeViolations(tab.page)).toEqual([]);
    await picture('automation-status', view);

    await view.locator('.heatmap button.cell.failed').last().click();
    const detail = settings.root.locator('oneroster-run-detail');
    await detail.getByRole('heading', { name: /sync #\d+$/ }).waitFor();
    expect(await detail.textContent()).toContain('Daily automation');
  });

  test.each([390, 1280, 1920])('the History table fits at %i px without clipping', async (width) => {
    await tab.page.setViewportSize({ width, height: 900 });
    await settings.open(`${baseUrl}/settings`);
    await settings.openHistory();
    const sizes = await tab.page.evaluate(() => {
      const root = document.querySelector('oneroster-settings')!.shadowRoot!;
      const wrap = root.querySelector('#or-panel-history .table-wrap')!.getBoundingClientRect();
      const buttons = [...root.querySelectorAll('#or-panel-history [data-run-id]')].map((b) => b.getBoundingClientRect());
      const wide = [...document.querySelectorAll('body *'), ...root.querySelectorAll('*')]
        .filter((el) => (el.getBoundingClientRect().right > window.innerWidth + 1 || el.scrollWidth > el.clientWidth + 1) && !el.parentElement?.closest('.table-wrap') && !el.classList.contains('table-wrap'))
        .map((el) => `${el.tagName}.${el.className}#${el.id} ${el.scrollWidth}/${el.clientWidth}`).slice(0, 12);
      const host = document.querySelector('oneroster-settings')!.getBoundingClientRect();
      return { page: document.documentElement.scrollWidth, wrapRight: wrap.right, wrapWidth: wrap.width, hostWidth: host.width, rights: buttons.map((b) => b.right), wide };
    });
    // No box of the page or the widget reaches past the viewport (tables scroll inside their own box).
    expect(sizes.wide).toEqual([]);
    expect(sizes.page).toBeLessThanOrEqual(width);
    if (width >= 1280) {
      for (const right of sizes.rights) expect(right).toBeLessThanOrEqual(sizes.wrapRight + 1);
      // The table takes the element's full width (the forms stay narrow).
      expect(sizes.wrapWidth).toBeGreaterThan(sizes.hostWidth - 80);
    }
    expect(await seriousAxeViolations(tab.page)).toEqual([]);
    if (width === 1280) await picture('history', settings.root.locator('#or-panel-history'));
  });
});
