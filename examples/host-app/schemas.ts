import Joi from 'joi';
import { HttpError } from './http-error';

/** An optional text field: blank or null means not set. */
const optionalText = Joi.string().trim().max(255).allow('', null);

/** `POST /api/buildings` and the Add building form. */
export const createBuildingSchema = Joi.object<{ name: string; sisId?: string | null; identifier?: string | null }>({
  name: Joi.string().trim().min(1).max(255).required(),
  sisId: optionalText,
  identifier: optionalText,
});

/** `PATCH /api/buildings/:id` and the SIS field form. */
export const updateBuildingSchema = Joi.object<{ sisId: string | null }>({ sisId: optionalText.required() });

const paging = {
  limit: Joi.number().integer().min(1).max(500),
  offset: Joi.number().integer().min(0).max(1_000_000_000).default(0),
};

/** `GET /api/students|staff` query. */
export const listQuerySchema = Joi.object<{ limit: number; offset: number; q: string }>({
  ...paging,
  limit: paging.limit.default(50),
  q: Joi.string().trim().max(200).allow('').default(''),
});

/** `GET /api/buildings` query: the same paging as its sibling lists (a district has hundreds, so the default is all of them). */
export const buildingListQuerySchema = Joi.object<{ limit?: number; offset: number }>({
  ...paging,
});

/** An empty text field means "not set". */
export function blankToNull(value: string | null | undefined): string | null {
  return value ? value : null;
}


/** A building id from a URL, or 404 for anything that cannot be one. */
export function parseBuildingId(text: string | undefined): number {
  if (!text || !/^[1-9][0-9]{0,9}$/.test(text) || Number(text) > 2_147_483_647) {
    throw new HttpError(404, 'not_found', 'That building does not exist.');
  }
  return Number(text);
}
