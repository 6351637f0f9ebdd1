"""Database: SQLCipher engine, models, Alembic migrations and encrypted backups."""
