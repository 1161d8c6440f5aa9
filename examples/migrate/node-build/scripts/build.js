'use strict';
// The build: reads the build settings with dotenv (a devDependency) and writes dist/server.js
// from src/server.js with the greeting filled in.
const fs = require('node:fs');
const path = require('node:path');
const dotenv = require('dotenv');

const root = path.join(__dirname, '..');
const env = dotenv.parse(fs.readFileSync(path.join(root, '.env.build')));
const src = fs.readFileSync(path.join(root, 'src', 'server.js'), 'utf8');
fs.mkdirSync(path.join(root, 'dist'), { recursive: true });
fs.writeFileSync(path.join(root, 'dist', 'server.js'), src.replace('__GREETING__', env.GREETING));
console.log('built dist/server.js');
