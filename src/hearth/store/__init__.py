"""Storage: SQLAlchemy tables, the engine, queries and Alembic migrations."""
