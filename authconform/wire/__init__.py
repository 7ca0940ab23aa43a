"""wire: the HTTP protocol as data, shared by the client and the server.

Holds the wire form of every port type (``codec``), the table of operations with their
paths, methods and access scopes (``operations``) and the OpenAPI document made from
both (``schema``). The HTTP adapter (``authconform.adapters.http``) and the service
(``authconform.service``) both read it, so they cannot disagree on the protocol.

May import: ``authconform.port`` only.
"""
