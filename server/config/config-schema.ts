import Joi from 'joi';
import type { ConfigInput } from '../domain/contract';
import { urlProblem, type NetworkRules } from '../providers/url-safety';

/** Longest URL accepted. */
const MAX_URL_LENGTH = 2048;

/**
 * The joi schema of `POST /config/test` and `PUT /config` bodies. Fields a provider does not use
 * are dropped (a form switching provider may still send them); a provider URL that breaks the
 * host's network rules (`file:`, `http:` to a public host…) is a field error.
 */
export function configInputSchema(network: NetworkRules): Joi.ObjectSchema<ConfigInput> {
  const providerUrl = Joi.string()
    .trim()
    .max(MAX_URL_LENGTH)
    .custom((value: string, helpers) => {
      const problem = urlProblem(value, network);
      return problem ? helpers.message({ custom: `{{#label}} ${problem}` }) : value;
    });
  const onlyFor = (providers: string[], schema: Joi.Schema) => Joi.when('provider', { is: Joi.valid(...providers), then: schema, otherwise: Joi.any().strip() });
  const clientId = Joi.string().trim().max(512).required();
  // Blank means "keep the saved secret"; whether there is one is checked against the saved row.
  const clientSecret = Joi.string().max(1024).allow('', null);

  return Joi.object<ConfigInput>({
    provider: Joi.string().valid('classlink', 'infinitecampus', 'oneroster').required(),
    tenantId: onlyFor(['classlink'], Joi.string().trim().pattern(/^[A-Za-z0-9_-]{1,64}$/).required().messages({
      'string.pattern.base': '{{#label}} must be the district\'s ClassLink Tenant ID (letters and digits)',
    })),
    version: Joi.when('provider', {
      switch: [
        { is: 'infinitecampus', then: Joi.string().valid('1.1', '1.2').default('1.2') },
        { is: 'oneroster', then: Joi.string().valid('1.1', '1.2').required() },
      ],
      otherwise: Joi.any().strip(),
    }),
    auth: Joi.when('provider', {
      switch: [
        { is: 'infinitecampus', then: Joi.string().valid('oauth2').default('oauth2') },
        { is: 'oneroster', then: Joi.string().valid('oauth1', 'oauth2').required() },
      ],
      otherwise: Joi.any().strip(),
    }),
    baseUrl: onlyFor(['infinitecampus', 'oneroster'], providerUrl.required()),
    tokenUrl: Joi.when('provider', {
      switch: [
        { is: 'infinitecampus', then: providerUrl.required() },
        { is: 'oneroster', then: Joi.when('auth', { is: 'oauth2', then: providerUrl.required(), otherwise: Joi.any().strip() }) },
      ],
      otherwise: Joi.any().strip(),
    }),
    clientId: onlyFor(['infinitecampus', 'oneroster'], clientId),
    clientSecret: onlyFor(['infinitecampus', 'oneroster'], clientSecret),
    confirmProviderSwitch: Joi.boolean(),
  });
}
