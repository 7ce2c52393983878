"""The HTTP front door: accepts lint jobs onto Kafka and answers queries from the DB."""
