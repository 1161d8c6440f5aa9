'use strict';
const request = require('supertest');
const { createApp, GREETING } = require('../src/app');

describe('node-express', () => {
  const app = createApp();

  test('GET / greets', async () => {
    const res = await request(app).get('/');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: GREETING, service: 'node-express' });
  });

  test('GET /healthz is ok', async () => {
    const res = await request(app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
  });

  test('POST /echo returns the body', async () => {
    const res = await request(app).post('/echo').send({ a: 1 });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ echo: { a: 1 } });
  });

  test('no x-powered-by header', async () => {
    const res = await request(app).get('/');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});
