"""A stand-in capability with a ``jobs`` module, for the handler registry tests."""
