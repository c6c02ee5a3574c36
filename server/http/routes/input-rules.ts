import Joi from 'joi';
import type { EmptyBody } from '../../domain/contract';
import { validate } from '../../domain/validate';
import type { ResolvedOptions } from '../../options';
import type { InputRule } from '../types';

/** A rule that validates with a joi schema (or one built from the options) into the schema's type. */
export function joiRule<T>(schema: Joi.Schema<T> | ((options: ResolvedOptions) => Joi.Schema<T>)): InputRule<T> {
  return (options) => {
    const built = typeof schema === 'function' ? schema(options) : schema;
    return (raw) => validate(built, raw);
  };
}

/** The body of a route that takes none: `{}` (or no body at all); any field is a `validation_failed`. */
export const emptyBody: InputRule<EmptyBody> = joiRule(Joi.object<EmptyBody>({}));
