import { HTML_NAME, type Sandbox } from '../../examples/oneroster-sandbox';

/**
 * The pieces of a roster record that must never reach a log line: every person's given + family
 * name pair, every real-looking email address, and the sandbox's HTML-shaped name.
 */
export function rosterFingerprints(sandbox: Sandbox): string[] {
  const found = new Set<string>([HTML_NAME]);
  for (const version of ['1.1', '1.2'] as const) {
    for (const p of sandbox.district.people({ version })) {
      if (p.givenName && p.familyName) found.add(`${p.givenName} ${p.familyName}`);
      if (p.givenName && p.familyName) found.add(`"givenName":"${p.givenName}","familyName":"${p.familyName}"`);
      if (p.email && p.email.includes('@') && p.email.length > 6) found.add(p.email);
    }
  }
  return [...found];
}

/** Fails listing the log lines that carry roster data. */
export function assertNoRosterDataInLogs(lines: readonly string[], sandbox: Sandbox): void {
  const fingerprints = rosterFingerprints(sandbox);
  const leaks: string[] = [];
  for (const line of lines) {
    const hit = fingerprints.find((f) => line.includes(f));
    if (hit) leaks.push(`${JSON.stringify(hit)} in: ${line.slice(0, 300)}`);
  }
  if (leaks.length > 0) throw new Error(`roster data in ${leaks.length} log line(s):\n  ${leaks.slice(0, 5).join('\n  ')}`);
}

/** Fails when any of `secrets` appears in any of `texts` (log lines, response bodies, issues). */
export function assertNoSecrets(texts: readonly string[], secrets: readonly string[], where: string): void {
  for (const secret of secrets) {
    const leak = texts.find((text) => text.includes(secret));
    if (leak) throw new Error(`a secret appeared in ${where}: ${leak.slice(0, 200)}`);
  }
}
