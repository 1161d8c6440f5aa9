# The migrate golden reads only that this file exists; the tests themselves are examples/migrate/static-site/tests.
