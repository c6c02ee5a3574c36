/** The zones a US school district most likely runs in, with the names people use for them. */
const US_ZONES: Record<string, string> = {
  'America/New_York': 'Eastern Time',
  'America/Chicago': 'Central Time',
  'America/Denver': 'Mountain Time',
  'America/Phoenix': 'Mountain Time, no daylight saving (Arizona)',
  'America/Los_Angeles': 'Pacific Time',
  'America/Anchorage': 'Alaska Time',
  'Pacific/Honolulu': 'Hawaii Time',
};

/** One option of the timezone picker. */
export interface TimezoneOption {
  /** The IANA name the server stores. */
  zone: string;
  /** What the admin reads. */
  label: string;
}

/**
 * The timezone picker's options: the likely zones first (the saved one, this browser's, the US
 * zones, UTC), then every other zone the browser knows. UTC is always there: `Intl` does not list
 * it among its zones, which is how it went missing once another zone was saved.
 */
export function timezoneChoices(saved: string, browserZone: string | undefined, known: readonly string[]): { likely: TimezoneOption[]; others: TimezoneOption[] } {
  const label = (zone: string) => (US_ZONES[zone] ? `${US_ZONES[zone]} (${zone.replace(/_/g, ' ')})` : zone.replace(/_/g, ' '));
  const likelyZones = [...new Set([saved, browserZone, ...Object.keys(US_ZONES), 'UTC'].filter((z): z is string => !!z))];
  const likely = new Set(likelyZones);
  return {
    likely: likelyZones.map((zone) => ({ zone, label: label(zone) })),
    others: known.filter((zone) => !likely.has(zone)).map((zone) => ({ zone, label: label(zone) })),
  };
}
