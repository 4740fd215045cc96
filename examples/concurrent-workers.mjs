// 5 worker threads x 10 logs, each thread with its own SDK instance: all 50 must arrive.
import { Worker, isMainThread, workerData } from 'node:worker_threads';
import { envValue } from '@loki-sdk/core';
import { LokiSDK } from '@loki-sdk/core/sdk';

const base = envValue('LOKI_URL') ?? 'http://localhost:3100';
if (isMainThread) {
  await Promise.all(
    Array.from(
      { length: 5 },
      (_, id) =>
        new Promise((resolve, reject) => {
          new Worker(new URL(import.meta.url), { workerData: { id } }).on('exit', resolve).on('error', reject);
        }),
    ),
  );
  console.log('5 workers done');
} else {
  const sdk = new LokiSDK().init({
    appName: 'concurrent',
    endpoints: { loki: `${base}/loki/api/v1/push` },
    printToConsole: false,
  });
  await Promise.all(
    Array.from({ length: 10 }, async (_, i) =>
      sdk.info(`worker ${workerData.id} task ${i}`, { label_worker: String(workerData.id), task: i }),
    ),
  );
  await sdk.close();
}
