import type Joi from 'joi';
import { errors } from './errors';

/**
 * Validates a request body or query with joi and returns the cleaned value, or throws a 400
 * listing every bad field. Unknown keys are refused so typos do not pass silently.
 */
export function validate<T>(schema: Joi.Schema<T>, value: unknown): T {
  const { value: cleaned, error } = schema.validate(value ?? {}, { abortEarly: false, stripUnknown: false });
  if (error) {
    throw errors.validation(
      error.details.map((detail) => ({ field: detail.path.join('.') || '(body)', message: detail.message.replace(/"/g, '') })),
    );
  }
  return cleaned as T;
}
