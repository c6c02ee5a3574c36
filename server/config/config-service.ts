import type { ModuleContext } from '../context';
import { errors } from '../domain/errors';
import type { ConfigInput, ConfigView, LastTestView, SavedConfigView, TestResult } from '../domain/contract';
import { decodeEncryptionKey, type OneRosterUser } from '../options';
import { createProviderConnection, testProviderConnection } from '../providers';
import { createSql } from '../store/sql';
import { providerOptions, type ProviderConnection, type ProviderDeps, type ProviderSettings } from '../providers/types';
import { createAuditLog } from './audit-log';
import { defineConfigModels, type AuditAction, type ConfigRow } from './config-models';
import { decryptSecret, encryptSecret, isLegacySecret } from './secret-box';

/** What the save route knows about the roster that the config service does not. */
export interface SaveContext {
  /** Whether a sync has ever brought data in (switching provider then needs confirmation). */
  hasSyncedData: boolean;
}

/** Provider configuration: what `/config` routes call, and how syncs reach the provider. */
export interface ConfigService {
  /** The configuration part of `GET /config` (run summaries are added by the route). */
  view(): Promise<Pick<ConfigView, 'configured' | 'enabled' | 'config' | 'classlinkAvailable' | 'lastTest'>>;
  /** Tests the submitted settings (validated by the route), or the saved ones when `input` is null. Never throws for a failed test. */
  test(input: ConfigInput | null, user: OneRosterUser | null): Promise<TestResult>;
  /** Re-tests, saves and enables validated settings; throws 400 (a blank secret it cannot reuse), 409 and 422 errors. */
  save(input: ConfigInput, user: OneRosterUser, context: SaveContext): Promise<void>;
  /** Turns OneRoster off (manual roster management comes back); keeps data and history. */
  disable(user: OneRosterUser): Promise<void>;
  /** Whether OneRoster is the exclusive roster source now. */
  isEnabled(): Promise<boolean>;
  /** A connection to the saved provider, for a sync; throws `not_configured` when none is saved. */
  openConnection(): Promise<ProviderConnection>;
}

/** The non-secret settings stored as JSON. */
type StoredSettings = Omit<ProviderSettings, 'provider' | 'clientSecret'>;

/** Builds the configuration service of the context's district over the module's tables. */
export function createConfigService(ctx: ModuleContext): ConfigService {
  const { Config } = defineConfigModels(ctx.sequelize);
  const { district } = ctx;
  const audit = createAuditLog(ctx.sequelize, district);
  const mine = { district };
  const key = decodeEncryptionKey(ctx.options.encryptionKey);
  const deps: ProviderDeps = { options: providerOptions(ctx.options), logger: ctx.logger, clock: ctx.clock };
  // IMMEDIATE on SQLite: a read-then-write transaction started while a sync writes would otherwise
  // fail at once with SQLITE_BUSY (a lock upgrade is never waited for) and answer a 500.
  const sql = createSql(ctx.sequelize);

  const load = async (): Promise<ConfigRow | null> => {
    const row = await Config.findOne({ where: mine });
    return row ? row.get({ plain: true }) : null;
  };

  /** The saved settings with the secret decrypted (throws `encryption_key_mismatch` on a wrong key). */
  function savedSettings(row: ConfigRow): ProviderSettings {
    const settings = savedSettingsWithoutSecret(row);
    if (row.encryptedSecret) settings.clientSecret = decryptSecret(row.encryptedSecret, key, district);
    return settings;
  }

  /** Turns a validated body into settings; a blank secret means the saved one, for the same provider only. */
  function settingsFromInput(input: ConfigInput, row: ConfigRow | null): { settings: ProviderSettings; keepsSavedSecret: boolean } {
    if (input.provider === 'classlink') {
      return { settings: { provider: 'classlink', tenantId: input.tenantId, version: '1.1', auth: 'oauth2' }, keepsSavedSecret: false };
    }
    const settings: ProviderSettings = {
      provider: input.provider,
      version: input.version ?? '1.2',
      auth: input.provider === 'infinitecampus' ? 'oauth2' : (input.auth ?? 'oauth2'),
      baseUrl: input.baseUrl,
      clientId: input.clientId,
      clientSecret: input.clientSecret || undefined,
    };
    if (settings.auth === 'oauth2') settings.tokenUrl = input.tokenUrl;
    if (settings.clientSecret) return { settings, keepsSavedSecret: false };
    if (!row || !row.encryptedSecret) throw errors.validation([{ field: 'clientSecret', message: 'clientSecret is required' }]);
    if (secretBinding(settings) !== secretBinding(savedSettingsWithoutSecret(row))) {
      // The saved secret may only go where it was saved for: anything else could send it to a
      // server the admin typed in, so the request must carry the secret itself.
      throw errors.validation([{ field: 'clientSecret', message: SECRET_REBIND_MESSAGE }]);
    }
    return { settings: { ...settings, clientSecret: decryptSecret(row.encryptedSecret, key, district) }, keepsSavedSecret: true };
  }

  async function recordAudit(action: AuditAction, user: OneRosterUser, details: Record<string, unknown>, transaction: unknown): Promise<void> {
    await audit.record(action, user, details, transaction as never);
  }

  return {
    async view() {
      const row = await load();
      const classlinkAvailable = Boolean(ctx.options.classlink.apiKey);
      if (!row) return { configured: false, enabled: false, config: null, classlinkAvailable, lastTest: null };
      return {
        configured: true,
        enabled: Boolean(row.enabled),
        config: presentConfig(row),
        classlinkAvailable,
        lastTest: row.lastTest ? (JSON.parse(row.lastTest) as LastTestView) : null,
      };
    },

    async test(input) {
      if (input === null) {
        const row = await load();
        if (!row) throw errors.notConfigured();
        const result = await testProviderConnection(savedSettings(row), deps);
        // The saved configuration's own test is what GET /config shows as the last test.
        await Config.update({ lastTest: JSON.stringify(stamp(result)) }, { where: mine, silent: true });
        return result;
      }
      const { settings } = settingsFromInput(input, await load());
      return testProviderConnection(settings, deps);
    },

    async save(body, user, context) {
      const before = await load();
      const { settings, keepsSavedSecret } = settingsFromInput(body, before);
      const switching = before !== null && before.provider !== settings.provider;
      if (switching && context.hasSyncedData && body.confirmProviderSwitch !== true) {
        throw errors.providerSwitchUnconfirmed(before.provider, settings.provider);
      }
      const result = await testProviderConnection(settings, deps);
      if (!result.ok) {
        throw errors.connectionTestFailed(result);
      }

      const { clientSecret, provider, ...stored } = settings;
      const values: Partial<ConfigRow> = {
        provider,
        settings: JSON.stringify(stored),
        encryptedSecret: clientSecret ? keptOrSealed(clientSecret, keepsSavedSecret ? before?.encryptedSecret : null) : null,
        enabled: true,
        lastTest: JSON.stringify(stamp(result)),
        updatedById: String(user.id),
        updatedByName: user.name ?? null,
      };
      const details = { provider, ...publicSettings(stored), secretChanged: Boolean(clientSecret) && !keepsSavedSecret };
      await sql.transaction(async (transaction) => {
        const current = await Config.findOne({ where: mine, transaction });
        const wasEnabled = Boolean(current?.get('enabled'));
        if (current) await current.update(values, { transaction });
        else await Config.create({ ...values, district }, { transaction });
        await recordAudit('config_saved', user, details, transaction);
        if (switching) await recordAudit('provider_switched', user, { from: before.provider, to: provider, confirmed: body.confirmProviderSwitch === true }, transaction);
        if (!wasEnabled) await recordAudit('oneroster_enabled', user, { provider }, transaction);
      });
      ctx.logger.info('OneRoster configuration saved', { provider, switched: switching, by: String(user.id) });
    },

    async disable(user) {
      await sql.transaction(async (transaction) => {
        const current = await Config.findOne({ where: mine, transaction });
        if (!current || !current.get('enabled')) return;
        await current.update({ enabled: false, updatedById: String(user.id), updatedByName: user.name ?? null }, { transaction });
        await recordAudit('oneroster_disabled', user, { provider: current.get('provider') }, transaction);
      });
      ctx.logger.info('OneRoster disabled', { by: String(user.id) });
    },

    async isEnabled() {
      // Called on every guarded host route: one primary-key read of one column.
      const row = (await Config.findOne({ where: mine, attributes: ['enabled'], raw: true })) as unknown as Pick<ConfigRow, 'enabled'> | null;
      return Boolean(row?.enabled);
    },

    async openConnection() {
      const row = await load();
      if (!row) throw errors.notConfigured();
      return createProviderConnection(savedSettings(row), deps);
    },
  };

  /** The saved ciphertext when the secret is kept as it is (sealed for this district); else the secret sealed afresh. */
  function keptOrSealed(secret: string, saved: string | null | undefined): string {
    return saved && !isLegacySecret(saved) ? saved : encryptSecret(secret, key, district);
  }

  function stamp(result: TestResult): LastTestView {
    return { ...result, at: ctx.clock.now().toISOString() };
  }
}

/** The field error of a blank secret that cannot be reused for the submitted settings. */
const SECRET_REBIND_MESSAGE =
  'Enter the client secret again: the saved secret is only reused with the same provider, client ID and server addresses.';

/** The saved settings, secret left out. */
function savedSettingsWithoutSecret(row: ConfigRow): ProviderSettings {
  const stored = JSON.parse(row.settings) as StoredSettings;
  return { provider: row.provider as ProviderSettings['provider'], ...stored };
}

/**
 * What a saved secret is bound to: the provider, the client ID, and the origin (scheme, host,
 * port) of every URL it authenticates against (the token URL receives it; the base URL receives
 * OAuth 1.0a signatures made with it). Paths and the version may change; anything here may not.
 * ClassLink stores no secret: the vendor's API key is a host option and only ever goes to the
 * host's configured proxy URL, which no request can change.
 */
function secretBinding(settings: ProviderSettings): string {
  const origin = (url: string | undefined) => (url ? safeOrigin(url) : null);
  return JSON.stringify([settings.provider, settings.clientId ?? null, origin(settings.baseUrl), origin(settings.tokenUrl)]);
}

/** A URL's origin; the text itself when it does not parse (then it only equals itself). */
function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

/** The saved configuration as the API shows it: the secret only as `{ set }`. */
function presentConfig(row: ConfigRow): SavedConfigView {
  const stored = JSON.parse(row.settings) as StoredSettings;
  const view: SavedConfigView = {
    provider: row.provider as SavedConfigView['provider'],
    ...publicSettings(stored),
    clientSecret: { set: Boolean(row.encryptedSecret) },
    updatedAt: new Date(row.updatedAt).toISOString(),
    updatedBy: row.updatedByName ?? row.updatedById ?? null,
  };
  if (view.provider === 'classlink') {
    delete view.version;
    delete view.auth;
  }
  return view;
}

/** The settings fields safe to show and to audit (never the secret). */
function publicSettings(stored: StoredSettings): Omit<SavedConfigView, 'provider' | 'clientSecret' | 'updatedAt' | 'updatedBy'> {
  const { tenantId, version, auth, baseUrl, tokenUrl, clientId } = stored;
  return Object.fromEntries(
    Object.entries({ tenantId, version, auth, baseUrl, tokenUrl, clientId }).filter(([, value]) => value !== undefined),
  ) as Omit<SavedConfigView, 'provider' | 'clientSecret' | 'updatedAt' | 'updatedBy'>;
}

