import { defaultsOf } from '@loki-sdk/core/adapter';
import { PINO_OPTION_SCHEMA } from './option-schema.js';

/** Defaults of the transport's own options, from its schema (core's are in @loki-sdk/core's DEFAULTS). */
export const TRANSPORT_DEFAULTS = Object.freeze(defaultsOf(PINO_OPTION_SCHEMA));
