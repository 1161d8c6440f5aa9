const app = require('../server');
test('app exists', () => expect(app).toBeDefined());
