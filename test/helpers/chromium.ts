/** Debian's Chromium; no browser is ever downloaded. `CHROMIUM_PATH` points elsewhere (the set-up's own test uses it). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** What to do when Chromium is missing; the global set-up says it before any suite starts. */
export const CHROMIUM_MISSING = `${CHROMIUM} is missing: browser tests need Debian's chromium (apt-get install -y chromium); no browser is ever downloaded.`;
