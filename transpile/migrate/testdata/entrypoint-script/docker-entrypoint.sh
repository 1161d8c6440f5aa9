#!/bin/sh
set -e
# wait for the database, run migrations, then start
python manage.py migrate --noinput
exec "$@"
