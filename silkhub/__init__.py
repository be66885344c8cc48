"""silkhub: the open data and service platform of a Belt and Road trade hub."""

__version__ = "0.1.0"
