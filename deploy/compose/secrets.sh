#!/bin/sh
# The cluster's secrets, once, in deploy/compose/secrets/ (never committed): the key every
# instance shares, PostgreSQL's password, and the database URL that carries it.
set -eu
cd "$(dirname "$0")"
mkdir -p secrets
chmod 700 secrets
umask 022  # files readable by the containers' user (10001); the directory stays 700
new() { python3 -c 'import secrets; print(secrets.token_urlsafe(32))'; }
[ -s secrets/secret_key ] || new > secrets/secret_key
[ -s secrets/postgres_password ] || new > secrets/postgres_password
printf 'postgresql+asyncpg://mailslot:%s@postgres:5432/mailslot\n' \
  "$(cat secrets/postgres_password)" > secrets/database_url
echo "deploy/compose/secrets/: secret_key, postgres_password, database_url"
