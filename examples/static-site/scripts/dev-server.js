#!/usr/bin/env node
// Development server: renders the site from src/ on every request (ENV defaults to "dev"),
// so edits show up without a rebuild.
'use strict';
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { loadEnv, render } = require('./build');

const root = path.resolve(__dirname, '..');
const env = process.env.ENV || 'dev';
const port = Number(process.env.PORT || 8080);
const types = { '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript' };

http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (url.pathname === '/healthz') { res.end('ok\n'); return; }
  const name = url.pathname === '/' ? 'index.html' : path.basename(url.pathname);
  const file = path.join(root, 'src', name);
  try {
    let body = fs.readFileSync(file, name.endsWith('.html') ? 'utf8' : undefined);
    if (name.endsWith('.html')) body = render(body, loadEnv(env));
    res.writeHead(200, { 'content-type': types[path.extname(name)] || 'application/octet-stream' });
    res.end(body);
  } catch (err) {
    res.writeHead(err.code === 'ENOENT' ? 404 : 500);
    res.end(`${err.code === 'ENOENT' ? 'not found' : err.message}\n`);
  }
}).listen(port, () => console.log(`dev server on :${port} (ENV=${env})`));
