#!/usr/bin/env node
// Builds the site: renders src/*.html with the variables of .env.${ENV} into dist/ and
// copies every other file of src/ as is. ENV defaults to "prod".
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const dotenv = require('dotenv');

const root = path.resolve(__dirname, '..');

function loadEnv(env, dir = root) {
  const file = path.join(dir, `.env.${env}`);
  if (!fs.existsSync(file)) throw new Error(`no ${path.basename(file)} for ENV=${env}`);
  return dotenv.parse(fs.readFileSync(file));
}

function render(template, vars) {
  return template.replace(/\{\{\s*([A-Z0-9_]+)\s*\}\}/g, (whole, key) => {
    if (!(key in vars)) throw new Error(`unknown variable ${key}`);
    return vars[key];
  });
}

function build({ env = 'prod', srcDir = path.join(root, 'src'), outDir = path.join(root, 'dist'), dir = root } = {}) {
  const vars = loadEnv(env, dir);
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const written = [];
  for (const name of fs.readdirSync(srcDir).sort()) {
    const from = path.join(srcDir, name);
    const to = path.join(outDir, name);
    if (name.endsWith('.html')) {
      fs.writeFileSync(to, render(fs.readFileSync(from, 'utf8'), vars));
    } else {
      fs.copyFileSync(from, to);
    }
    written.push(name);
  }
  return written;
}

module.exports = { build, loadEnv, render };

if (require.main === module) {
  const env = process.env.ENV || 'prod';
  const files = build({ env });
  console.log(`built ${files.length} files into dist/ (ENV=${env})`);
}
