import Joi from 'joi';
import type { AutomationSettings } from '../domain/contract';
import { isValidTimezone } from '../options';
import { MAX_GRADE_LENGTH } from '../sync/grades';

/** Most Grade Level Matrix entries (a district has a few dozen grade values at most). */
export const MAX_GRADE_MATRIX_ENTRIES = 200;

/** Fewest and most days between full pulls. */
export const FULL_SYNC_EVERY_RANGE = { min: 1, max: 90 } as const;

/**
 * Body of `PUT /automation`: any subset of the settings. Strict (no string-to-number or
 * string-to-boolean conversion, unknown keys refused) so a widget bug surfaces as a 400 naming
 * the field instead of a silently different schedule.
 */
export const automationPatchSchema = Joi.object<Partial<AutomationSettings>>({
  studentImport: Joi.boolean(),
  staffImport: Joi.boolean(),
  dailyTime: Joi.string()
    .pattern(/^([01]\d|2[0-3]):[0-5]\d$/)
    .messages({ 'string.pattern.base': '{{#label}} must be a 24-hour time written HH:MM, such as 02:00' }),
  timezone: Joi.string()
    .custom((value: string, helpers) => (isValidTimezone(value) ? value : helpers.error('any.invalid')))
    .messages({ 'any.invalid': '{{#label}} must be an IANA timezone such as America/Chicago' }),
  fullSyncEvery: Joi.number().integer().min(FULL_SYNC_EVERY_RANGE.min).max(FULL_SYNC_EVERY_RANGE.max),
  paused: Joi.boolean(),
  deactivateMissing: Joi.boolean(),
  gradeMatrix: Joi.object()
    .pattern(Joi.string().trim().min(1).max(64), Joi.string().trim().min(1).max(MAX_GRADE_LENGTH))
    .max(MAX_GRADE_MATRIX_ENTRIES),
  districtOffices: Joi.boolean(),
  orgBuildings: Joi.object().pattern(Joi.string().trim().min(1).max(255), Joi.number().integer().min(1)).max(MAX_GRADE_MATRIX_ENTRIES),
})
  .required()
  .prefs({ convert: false });
