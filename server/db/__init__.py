"""The platform's database layer: Tortoise configuration, the PostgreSQL engine, bulk SQL."""
