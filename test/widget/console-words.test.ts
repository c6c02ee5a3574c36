import { ApiError } from '../../widget/api-client';
import { fieldErrors } from '../../widget/messages';
import { likelyCauses, typeToApprove } from '../../widget/held-plan';
import { timezoneChoices } from '../../widget/timezones';
import { versionUrlMismatch } from '../../widget/provider-hints';

const failed = (field: string, message: string) => new ApiError(400, 'validation_failed', 'Some fields are not valid.', [{ field, message }]);

describe('field messages', () => {
  it("shows the server's own reason with the field's label", () => {
    expect(fieldErrors(failed('baseUrl', 'baseUrl must not contain a user name or password'))).toEqual({
      baseUrl: 'OneRoster base URL must not contain a user name or password.',
    });
    expect(fieldErrors(failed('dailyTime', 'dailyTime must be a 24-hour time written HH:MM, such as 02:00'))).toEqual({
      dailyTime: 'Default Daily Automation Time must be a 24-hour time written HH:MM, such as 02:00.',
    });
  });

  it("turns joi's generic wording into plain words", () => {
    expect(fieldErrors(failed('clientId', 'clientId is not allowed to be empty'))).toEqual({ clientId: 'Enter the client id.' });
    expect(fieldErrors(failed('baseUrl', 'baseUrl must be a valid uri'))).toEqual({ baseUrl: 'Enter a full address starting with https://.' });
  });
});

describe('the timezone picker', () => {
  const known = ['Africa/Abidjan', 'America/Chicago', 'America/New_York', 'Europe/Paris'];

  it('lists the likely zones first and keeps UTC once another zone is saved', () => {
    const { likely, others } = timezoneChoices('America/Chicago', 'Europe/Paris', known);
    expect(likely.map((o) => o.zone)).toEqual([
      'America/Chicago', 'Europe/Paris', 'America/New_York', 'America/Denver', 'America/Phoenix', 'America/Los_Angeles', 'America/Anchorage', 'Pacific/Honolulu', 'UTC',
    ]);
    expect(likely[0]!.label).toBe('Central Time (America/Chicago)');
    expect(others.map((o) => o.zone)).toEqual(['Africa/Abidjan']);
  });
});

describe('the held-run review', () => {
  const plan = (planned: number, active: number, received: number) => ({
    counts: {}, samples: {}, deactivations: { students: { planned, active, threshold: 25, received } },
  });

  it('asks for the number only when more than half of a kind would go', () => {
    expect(typeToApprove(plan(1956, 1956, 0))).toBe(1956);
    expect(typeToApprove(plan(40, 300, 260))).toBeNull();
  });

  it('names the likely cause: the provider sent none, or far fewer than are active', () => {
    expect(likelyCauses(plan(1956, 1956, 0))[0]).toMatch(/^the provider sent no students\./);
    expect(likelyCauses(plan(200, 300, 100))[0]).toMatch(/^the provider sent only 100 students while 300 are active/);
  });
});

describe('the Infinite Campus version and URL', () => {
  it('warns when the address is for the other OneRoster version', () => {
    const ic12 = 'https://campus.example.org/campus/api/oneroster/v1p2/district/ims/oneroster/rostering/v1p2';
    expect(versionUrlMismatch('1.2', ic12)).toBeNull();
    expect(versionUrlMismatch('1.1', ic12)).toMatch(/^This address is for OneRoster 1\.2, but version 1\.1 is chosen/);
    expect(versionUrlMismatch('1.2', 'https://campus.example.org/campus/oneroster/district/ims/oneroster/v1p1')).toMatch(/for OneRoster 1\.1/);
    expect(versionUrlMismatch('1.2', '')).toBeNull();
  });
});
