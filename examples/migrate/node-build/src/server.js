'use strict';
// The server (built into dist/ by scripts/build.js): node's http module only.
const http = require('node:http');

const GREETING = '__GREETING__';

function handler(req, res) {
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(GREETING + '\n');
}

if (require.main === module) {
  const port = Number(process.env.PORT || 3000);
  http.createServer(handler).listen(port, () => console.log(`listening on :${port}`));
}

module.exports = { handler, GREETING };
