'use strict';
const test = require('node:test');
const assert = require('node:assert');
const http = require('node:http');
const app = require('../src/app');

function get(port, path) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    }).on('error', reject);
  });
}

test('GET / answers hello', async () => {
  const server = app.listen(0);
  try {
    const res = await get(server.address().port, '/');
    assert.strictEqual(res.status, 200);
    assert.match(res.body, /hello/);
  } finally {
    server.close();
  }
});

test('the devDependencies are there for the tests', () => {
  const ts = require('typescript');
  assert.match(ts.version, /^5\./);
});
