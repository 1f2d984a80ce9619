"""Runtime pieces every service shares: Kafka client settings, Mongo settings, the HTTP edge.

Services import this and `contracts`; they never import each other.
"""
