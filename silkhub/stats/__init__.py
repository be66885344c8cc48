"""Hub statistics: datasets, ingestion with validation, vintages, measures."""
