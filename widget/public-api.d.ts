/**
 * Types of `@manage1to1/oneroster/widget`: the `<oneroster-settings>` element as a host page uses
 * it. Shipped as `dist/widget/oneroster-settings.d.ts` beside the bundle (the bundle carries Lit
 * inside, so these types describe the element without needing Lit's). Keep in step with
 * `oneroster-settings.ts`; the package test compiles this file against the shipped contract.
 */
import type { ConfigView, ConsoleStatus, RunView } from '../server/domain/contract';

export type { ConfigView, ConsoleStatus, RunView } from '../server/domain/contract';

/** The events `<oneroster-settings>` sends to the host page (all bubble and are composed). */
export interface OneRosterSettingsEventMap {
  /** The configuration was saved. */
  'oneroster-config-saved': CustomEvent<ConfigView>;
  /** OneRoster was turned off. */
  'oneroster-config-disabled': CustomEvent<ConfigView>;
  /** A sync watched on this page ended. */
  'oneroster-sync-finished': CustomEvent<RunView>;
  /** What needs attention changed: build a navigation badge from it. */
  'oneroster-status-changed': CustomEvent<ConsoleStatus>;
}

/** `<oneroster-settings api-base="/settings/automation/oneroster">`: the OneRoster admin console. */
export declare class OneRosterSettings extends HTMLElement {
  /** Where the OneRoster router is mounted (`api-base`). Defaults to `/settings/automation/oneroster`. */
  apiBase: string;
  /** The host's CSRF token (`csrf-token`), sent on every state-changing request. */
  csrfToken: string | null;
  /** The header the token travels in (`csrf-header`). Defaults to `X-CSRF-Token`. */
  csrfHeader: string;
  /** What needs attention now (running sync, held plan, last run, stale daily sync), or null before it loaded. */
  status(): ConsoleStatus | null;
  /** Loads (or reloads) the configuration. */
  loadConfig(): Promise<void>;
  addEventListener<K extends keyof OneRosterSettingsEventMap>(
    type: K,
    listener: (this: OneRosterSettings, event: OneRosterSettingsEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
}

declare global {
  interface HTMLElementTagNameMap {
    'oneroster-settings': OneRosterSettings;
  }
}
