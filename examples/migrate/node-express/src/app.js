'use strict';
const express = require('express');

const app = express();
app.get('/', (req, res) => res.type('text').send('hello from the migrated express service\n'));
app.get('/healthz', (req, res) => res.type('text').send('ok\n'));

module.exports = app;
