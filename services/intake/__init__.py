"""intake: takes screening records from HTTP pushes, file uploads and raw feed topics, publishes
normalized RecordReceived events (or InputRejected) exactly once per feed and source record id."""
