'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { build, loadEnv, render } = require('../scripts/build');

test('render replaces known variables', () => {
  assert.equal(render('<h1>{{ SITE_TITLE }}</h1>', { SITE_TITLE: 'x' }), '<h1>x</h1>');
});

test('render rejects unknown variables', () => {
  assert.throws(() => render('{{NOPE}}', {}), /unknown variable NOPE/);
});

test('every .env file defines the variables the pages use', () => {
  for (const env of ['prod', 'dev']) {
    const vars = loadEnv(env);
    for (const key of ['SITE_TITLE', 'SITE_ENV', 'API_URL']) assert.ok(vars[key], `${env}: ${key}`);
  }
});

test('build writes dist/index.html for ENV=prod', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'site-'));
  try {
    const files = build({ env: 'prod', outDir: out });
    assert.deepEqual(files, ['index.html', 'style.css']);
    const html = fs.readFileSync(path.join(out, 'index.html'), 'utf8');
    assert.match(html, /<title>dockstage static site<\/title>/);
    assert.match(html, /Environment: production/);
    assert.doesNotMatch(html, /\{\{/);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
