/**
 * Registers a custom element unless that tag is taken already, so loading the script twice
 * (two bundles on one page, a hot reload) is harmless instead of throwing.
 */
export function defineOnce(tag: string, element: CustomElementConstructor): void {
  if (!customElements.get(tag)) customElements.define(tag, element);
}
