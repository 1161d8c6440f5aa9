const app = require('express')();
app.get('/ping', (req, res) => res.send('pong'));
app.listen(process.env.PORT ?? 8081);
