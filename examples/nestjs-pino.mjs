// NestJS with nestjs-pino: pino-http logs each request, Nest's own logs (start-up, routes) go through
// pino too, and a handler's logs carry its request (req.id); all shipped to Loki by the pino transport.
// Plain JavaScript, no build step: Nest's decorators are called as functions, as TypeScript would emit them.
import 'reflect-metadata';
import { Controller, Get, Inject, Module, Param } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { LoggerModule, Logger, PinoLogger } from 'nestjs-pino';
import pino from 'pino';
import { envValue } from '@loki-sdk/core';
import { flushLoki } from '@loki-sdk/pino-loki-transport';

// TypeScript's `__param(index, decorator)`: a parameter decorator as a class or method decorator.
const param = (index, decorator) => (target, key) => decorator(target, key, index);

const transport = pino.transport({
  target: '@loki-sdk/pino-loki-transport',
  options: { host: envValue('LOKI_URL') ?? 'http://localhost:3100', labels: { app: 'nestjs-pino-demo' } },
});

class OrdersController {
  constructor(logger) {
    this.logger = logger;
    this.logger.setContext(OrdersController.name);
  }

  find(id) {
    // PinoLogger's bindings include the request of the call (req.id, method, url) through nestjs-pino.
    this.logger.info({ orderId: id }, 'order looked up');
    return { id, status: 'paid' };
  }
}
// No emitDecoratorMetadata without TypeScript: the constructor's dependency is named with @Inject.
Reflect.decorate([Controller('orders'), param(0, Inject(PinoLogger))], OrdersController);
Reflect.decorate(
  [Get(':id'), param(0, Param('id'))],
  OrdersController.prototype,
  'find',
  Object.getOwnPropertyDescriptor(OrdersController.prototype, 'find'),
);

class AppModule {}
Reflect.decorate(
  [Module({ imports: [LoggerModule.forRoot({ pinoHttp: [{}, transport] })], controllers: [OrdersController] })],
  AppModule,
);

// bufferLogs: Nest's start-up logs wait for app.useLogger() and then go through pino as well.
const app = await NestFactory.create(AppModule, { bufferLogs: true });
app.useLogger(app.get(Logger));
await app.listen(0, '127.0.0.1');

// Serve two requests to ourselves (one found, one 404), then stop.
const base = await app.getUrl();
for (const path of ['/orders/A-1001', '/missing']) {
  const res = await fetch(base + path);
  console.log(`GET ${path} -> ${res.status}`);
}
await app.close();

const result = await flushLoki(transport, { timeoutMillis: 5000 });
console.log(`loki: ${result.ok ? 'acknowledged' : 'not delivered'}`);
