"""tasking's adapters: MongoDB store, Kafka publisher and consumer (the only I/O)."""
