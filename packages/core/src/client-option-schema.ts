import type { OptionSpec } from './option-schema.js';
import type { LokiClientOptions } from './options.js';
import { CONTENT_OPTION_SCHEMA } from './client-option-schema-content.js';
import { DELIVERY_OPTION_SCHEMA } from './client-option-schema-delivery.js';

/**
 * Every option of createLokiClient, described once (`satisfies`: exactly the keys of LokiClientOptions), in
 * the README table's order. Two files by what the options are about, each under the size limit.
 */
export const CLIENT_OPTION_SCHEMA = {
  ...CONTENT_OPTION_SCHEMA,
  ...DELIVERY_OPTION_SCHEMA,
} as const satisfies Record<keyof LokiClientOptions, OptionSpec>;
