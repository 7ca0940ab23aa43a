"""authconform: a conformance harness for authenticator-app cloud backup and recovery."""

__version__ = "0.1.0"
