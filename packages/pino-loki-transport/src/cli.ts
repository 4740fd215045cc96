#!/usr/bin/env node
import { createRequire } from 'node:module';
import { parseCliArgs, usage, type CliConfig } from './cli-args.js';
import { checkTransportOptions } from './options.js';
import pinoLokiTransport, { type LokiClosedEvent, type LokiErrorEvent } from './transport.js';

/** After a first SIGINT/SIGTERM, how long to keep reading for the app's last lines. */
const SIGNAL_GRACE_MILLIS = 2000;

function main(): void {
  let config: CliConfig;
  try {
    config = parseCliArgs(process.argv.slice(2), process.env);
  } catch (error) {
    process.stderr.write(`pino-loki-transport: ${(error as Error).message}\n\n${usage()}`);
    process.exitCode = 2;
    return;
  }
  if (config.help) {
    process.stdout.write(usage());
    return;
  }
  if (config.version) {
    const pkg = createRequire(import.meta.url)('../package.json') as { version: string };
    process.stdout.write(`${pkg.version}\n`);
    return;
  }
  try {
    // Every value checked before a line is read: a bad one is an exit 2 now, not a run that discards everything.
    checkTransportOptions(config.options);
  } catch (error) {
    process.stderr.write(`pino-loki-transport: ${(error as Error).message}\n`);
    process.exitCode = 2;
    return;
  }

  // Outside a worker the transport's error events have no main thread to go to: this is the app,
  // so it prints them (unless silenced), as pino-loki's CLI does.
  const stream = pinoLokiTransport({ ...config.options, printErrors: false });
  const printErrors = config.printErrors;
  stream.on('lokiError', (e: LokiErrorEvent) => {
    if (printErrors) process.stderr.write(`pino-loki-transport: ${e.code}: ${e.message}\n`);
  });

  const { stdin, stdout } = process;
  stdin.pipe(stream);
  if (config.stdout) {
    stdin.pipe(stdout);
    // A closed reader (`| head`) must not stop the shipping.
    stdout.on('error', () => stdin.unpipe(stdout));
  }

  let closed: LokiClosedEvent | undefined;
  stream.on('lokiClosed', (event: LokiClosedEvent) => {
    closed = event;
  });
  stream.on('close', () => {
    if (closed !== undefined && !closed.ok && printErrors) {
      const n = closed.pending + closed.dropped;
      process.stderr.write(`pino-loki-transport: ${n} ${n === 1 ? 'entry' : 'entries'} not delivered\n`);
    }
    process.exitCode = closed?.ok === false || (closed?.stats.entriesDropped ?? 0) > 0 ? 1 : 0;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  });

  // Ctrl-C reaches the whole pipeline: the app writes its last lines and exits, then stdin ends.
  // So the first signal only starts a grace period; the second one exits at once.
  let signalled = false;
  function onSignal(signal: NodeJS.Signals): void {
    if (signalled) {
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }
    signalled = true;
    setTimeout(() => {
      stdin.unpipe(stream);
      stdin.destroy();
      stream.end();
    }, SIGNAL_GRACE_MILLIS).unref();
  }
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

main();
