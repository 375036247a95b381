"""Quartier: the digital-inclusion programme of a city's neighbourhood social centres."""

__version__ = "0.1.0"
