/** Defaults of the transport's own options (core's are in @loki-sdk/core's DEFAULTS). */
export const TRANSPORT_DEFAULTS = {
  lineFormat: 'json',
  labelPrefix: 'label_',
  timeKey: 'time',
  messageKey: 'msg',
  errorKey: 'err',
  replaceTimestamp: false,
  hostnameLabel: false,
  convertArrays: false,
  // printErrors: unset = the first error of each code on stderr (see PinoLokiOptions.printErrors).
  statsIntervalMillis: 0,
  highWaterMarkEntries: 20_000,
} as const;
