'use strict';
const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');

test('the build filled in the greeting', () => {
  const built = fs.readFileSync(path.join(__dirname, '..', 'dist', 'server.js'), 'utf8');
  assert.ok(built.includes('hello from a built node service'));
  assert.ok(!built.includes('__GREETING__'));
});
