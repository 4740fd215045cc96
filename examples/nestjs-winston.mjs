// NestJS with nest-winston: a winston logger with our LokiTransport replaces Nest's logger, so Nest's own
// logs (start-up, routes), a handler's `new Logger(...)` calls and a request-log middleware all reach Loki.
// Plain JavaScript, no build step: Nest's decorators are called as functions, as TypeScript would emit them.
import 'reflect-metadata';
import { Controller, Get, Logger, Module, Param } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WinstonModule } from 'nest-winston';
import winston from 'winston';
import LokiTransport from '@loki-sdk/winston-loki-transport';
import { envValue } from '@loki-sdk/core';

// TypeScript's `__param(index, decorator)`: a parameter decorator as a method decorator.
const param = (index, decorator) => (target, key) => decorator(target, key, index);

const loki = new LokiTransport({
  host: envValue('LOKI_URL') ?? 'http://localhost:3100',
  labels: { app: 'nestjs-winston-demo' },
});

class OrdersController {
  logger = new Logger(OrdersController.name);

  find(id) {
    // An object message: nest-winston makes its other fields the entry's meta (here orderId).
    this.logger.log({ message: 'order looked up', orderId: id });
    return { id, status: 'paid' };
  }
}
Reflect.decorate([Controller('orders')], OrdersController);
Reflect.decorate(
  [Get(':id'), param(0, Param('id'))],
  OrdersController.prototype,
  'find',
  Object.getOwnPropertyDescriptor(OrdersController.prototype, 'find'),
);

class AppModule {}
Reflect.decorate([Module({ controllers: [OrdersController] })], AppModule);

// The logger is given to NestFactory.create, so Nest's start-up logs go through winston too.
const app = await NestFactory.create(AppModule, {
  logger: WinstonModule.createLogger({
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    transports: [loki],
  }),
});

// One entry per request once the response is sent: method, url, status, duration.
const http = new Logger('HTTP');
app.use((req, res, next) => {
  const start = performance.now();
  res.on('finish', () => {
    const responseTimeMs = Math.round(performance.now() - start);
    http.log({
      message: 'request completed',
      method: req.method,
      url: req.originalUrl,
      status: res.statusCode,
      responseTimeMs,
    });
  });
  next();
});
await app.listen(0, '127.0.0.1');

// Serve two requests to ourselves (one found, one 404), then stop.
const base = await app.getUrl();
for (const path of ['/orders/A-1001', '/missing']) {
  const res = await fetch(base + path);
  console.log(`GET ${path} -> ${res.status}`);
}
await app.close();

// flush() resolves once Loki acknowledged everything logged before it (it never rejects).
const result = await loki.flush({ timeoutMillis: 5000 });
console.log(`loki: ${result.ok ? 'acknowledged' : 'not delivered'}`);
