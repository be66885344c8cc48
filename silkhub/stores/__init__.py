"""The stores: the operational store (SQLAlchemy) and the analytical store (Parquet + Ibis)."""
