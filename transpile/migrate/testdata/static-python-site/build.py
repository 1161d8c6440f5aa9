# The migrate golden reads only that this file exists; the site builder itself is examples/migrate/static-site/build.py.
