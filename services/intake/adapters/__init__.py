"""The only modules that touch I/O libraries: aiokafka (publisher, raw-topic consumer), PyMongo
(dedupe store), openpyxl / charset-normalizer (file readers)."""
