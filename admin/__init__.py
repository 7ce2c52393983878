"""``sqllint-admin``: the operators' commands (API keys, Kafka tenants), run with the owner's credentials."""
