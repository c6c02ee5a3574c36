import type { Locator, Page } from 'playwright-core';

/** How long a sync may take to end in these scenarios (runs advance about once a second). */
const SYNC_TIMEOUT = 30_000;

/**
 * Drives <oneroster-settings> the way an admin does: by roles and labels only, never by the
 * component's internals, so the same helpers drive the widget suite's small host and the example
 * host app (both on the real module and the sandbox). Playwright's locators pierce the shadow root.
 */
export class SettingsPage {
  readonly root: Locator;

  constructor(readonly page: Page) {
    this.root = page.locator('oneroster-settings');
  }

  /** Opens `url` and waits until the settings finished loading (tabs shown) or an error is shown. */
  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await this.root.getByRole('tab').or(this.root.getByRole('alert')).first().waitFor();
  }

  tab(name: 'OneRoster' | 'Automation' | 'Automation Status' | 'History'): Locator {
    return this.root.getByRole('tab', { name, exact: true });
  }

  button(name: string | RegExp): Locator {
    return this.root.getByRole('button', { name, exact: typeof name === 'string' });
  }

  get alert(): Locator {
    return this.root.getByRole('alert');
  }

  /** The connection-test result box. */
  get testResult(): Locator {
    return this.root.locator('#or-test-result');
  }

  get saveButton(): Locator {
    return this.button('Save');
  }

  get syncUsersButton(): Locator {
    return this.button('Sync Users');
  }

  get progressBar(): Locator {
    return this.root.getByRole('progressbar');
  }

  /** The summary of the run that just ended on the OneRoster tab. */
  get syncResult(): Locator {
    return this.root.locator('#or-sync-result');
  }

  /** The confirmation dialog, when open. */
  get dialog(): Locator {
    return this.root.getByRole('dialog');
  }

  async selectProvider(label: 'ClassLink' | 'Infinite Campus' | 'Other OneRoster provider'): Promise<void> {
    await this.tab('OneRoster').click();
    await this.root.getByRole('radio', { name: label }).check();
  }

  /** Picks ClassLink and types the Tenant ID. */
  async configureClassLink(tenantId: string): Promise<void> {
    await this.selectProvider('ClassLink');
    await this.root.getByLabel('Tenant ID').fill(tenantId);
  }

  /** Picks Infinite Campus and fills its fields (the secret only when given). */
  async configureInfiniteCampus(fields: { baseUrl: string; tokenUrl: string; clientId: string; clientSecret?: string; version?: '1.1' | '1.2' }): Promise<void> {
    await this.selectProvider('Infinite Campus');
    if (fields.version) await this.root.getByLabel('OneRoster version').selectOption(fields.version);
    await this.root.getByLabel('OneRoster base URL').fill(fields.baseUrl);
    await this.root.getByLabel('Token URL').fill(fields.tokenUrl);
    await this.root.getByLabel('Client ID').fill(fields.clientId);
    if (fields.clientSecret !== undefined) await this.root.getByLabel('Client secret').fill(fields.clientSecret);
  }

  /** Clicks Test Configuration and answers whether the test passed. */
  async runTest(): Promise<boolean> {
    await this.button('Test Configuration').click();
    await this.button('Test Configuration').waitFor({ state: 'visible' });
    const heading = this.testResult.getByRole('heading');
    await heading.waitFor();
    return (await heading.textContent())?.includes('Connection works') ?? false;
  }

  /**
   * Clicks Save and waits until it saved, failed, or asked for a confirmation (a provider switch).
   * With `confirmSwitch` set, answers that confirmation (and waits for the outcome); without it,
   * leaves the dialog open for the caller.
   */
  async save(options: { confirmSwitch?: boolean } = {}): Promise<void> {
    await this.saveButton.click();
    const saved = this.root.getByText(/^Saved\./);
    const failed = this.root.locator('#or-provider-error');
    await saved.or(this.dialog).or(failed).first().waitFor();
    if (options.confirmSwitch !== undefined && (await this.dialog.isVisible())) {
      await this.answerDialog(options.confirmSwitch);
      await saved.or(failed).first().waitFor();
    }
  }

  /** Clicks the confirm (true) or the back-out (false) button of the open dialog. */
  async answerDialog(confirm: boolean): Promise<void> {
    const buttons = this.dialog.getByRole('button');
    await (confirm ? buttons.last() : buttons.first()).click();
    await this.dialog.waitFor({ state: 'hidden' });
  }

  /** Starts a building sync and waits for its summary. */
  async syncBuildings(): Promise<Locator> {
    await this.tab('OneRoster').click();
    await this.button('Sync Buildings').click();
    return this.waitForSyncResult();
  }

  /** Starts a user sync; with `wait: false` returns as soon as it started. */
  async syncUsers(options: { wait?: boolean } = {}): Promise<Locator> {
    await this.tab('OneRoster').click();
    await this.syncUsersButton.click();
    if (options.wait === false) {
      await this.progressBar.or(this.syncResult).first().waitFor();
      return this.syncResult;
    }
    return this.waitForSyncResult();
  }

  async waitForSyncResult(): Promise<Locator> {
    await this.syncResult.waitFor({ timeout: SYNC_TIMEOUT });
    return this.syncResult;
  }

  /** Opens the History tab and waits for its list (or its empty state). */
  async openHistory(): Promise<Locator> {
    await this.tab('History').click();
    const table = this.root.getByRole('table');
    await table.or(this.root.getByText('No syncs yet')).first().waitFor();
    return table;
  }

  /** Opens one run's detail from the history list. */
  async openRun(id: number): Promise<Locator> {
    await this.root.getByRole('button', { name: `Details of run ${id}` }).click();
    const heading = this.root.getByRole('heading', { name: new RegExp(`sync #${id}$`) });
    await heading.waitFor();
    return this.root.locator('oneroster-run-detail');
  }

  /** Approves (or cancels) the held run whose detail is open, confirming in the dialog. */
  async resolveHeld(action: 'approve' | 'cancel'): Promise<void> {
    // Approving a deactivation of more than half a kind asks for the number first.
    const typed = this.root.getByLabel(/To approve, type the number/);
    if (action === 'approve' && (await typed.count()) > 0) {
      const label = (await this.root.locator('.type-to-approve').textContent()) ?? '';
      await typed.fill(/\(([\d,]+)\)/.exec(label)![1]!);
    }
    await this.button(action === 'approve' ? 'Approve and apply' : 'Cancel run (safe)').click();
    await this.answerDialog(true);
    await this.root.getByText(action === 'approve' ? /^Approved\./ : /^Cancelled\./).waitFor();
  }

  /** Opens the Automation tab and waits for its settings. */
  async openAutomation(): Promise<void> {
    await this.tab('Automation').click();
    await this.root.getByLabel('Default Daily Automation Time').waitFor();
  }

  /** Changes the automation settings given and saves them; resolves once saved (or refused). */
  async setAutomation(settings: {
    studentImport?: boolean; staffImport?: boolean; dailyTime?: string; timezone?: string; fullSyncEvery?: number; paused?: boolean; deactivateMissing?: boolean;
  }): Promise<void> {
    await this.openAutomation();
    const box = (label: string, on: boolean | undefined) => (on === undefined ? Promise.resolve() : this.root.getByLabel(label).setChecked(on));
    await box('Enable Automatic Student Import', settings.studentImport);
    await box('Enable Automatic Staff Import', settings.staffImport);
    await box('Pause daily automation', settings.paused);
    await box('Deactivate people missing from a full sync', settings.deactivateMissing);
    if (settings.dailyTime) await this.root.getByLabel('Default Daily Automation Time').fill(settings.dailyTime);
    if (settings.timezone) await this.root.getByLabel('Timezone').selectOption(settings.timezone);
    if (settings.fullSyncEvery !== undefined) await this.root.getByLabel('Full sync every').fill(String(settings.fullSyncEvery));
    await this.button('Save automation').click();
    await this.root.getByText('Automation settings saved.').or(this.alert).first().waitFor();
  }
}
