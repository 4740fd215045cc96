// The receiver, installed like every other package from the local registry: listens on port 0,
// writes its URL to the file given, and runs until it is sent SIGTERM.
import { writeFileSync } from 'node:fs';
import { createLokiReceiver } from '@loki-sdk/testing';

const receiver = await createLokiReceiver();
writeFileSync(process.argv[2], receiver.url);
process.on('SIGTERM', () => receiver.close().then(() => process.exit(0)));
