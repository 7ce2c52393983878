"""The platform every service runs on: settings, Kafka clients and topics, the database.

It imports the wire contracts (``schemas``) and nothing of the services, so
processors, sink and ingest share one way to configure Kafka, one engine
factory, one set of tables and one settings base.
"""
