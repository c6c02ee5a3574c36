import { LitElement } from 'lit';

/**
 * Base of the inner panels: they render into the <oneroster-settings> shadow root instead of a
 * root of their own, so one stylesheet and the host's `::part` rules reach every control.
 */
export class PanelElement extends LitElement {
  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  /** Dispatches a bubbling event; `composed` ones cross the shadow root and reach the host page. */
  protected emit<T>(name: string, detail: T, composed = false): void {
    this.dispatchEvent(new CustomEvent<T>(name, { detail, bubbles: true, composed }));
  }
}
