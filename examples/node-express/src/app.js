'use strict';
const express = require('express');

const GREETING = 'Hello from dockstage node-express!';

function createApp() {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json());

  app.get('/', (req, res) => {
    res.json({ message: GREETING, service: 'node-express' });
  });

  app.get('/healthz', (req, res) => {
    res.json({ status: 'ok' });
  });

  app.post('/echo', (req, res) => {
    res.status(201).json({ echo: req.body });
  });

  return app;
}

module.exports = { createApp, GREETING };
