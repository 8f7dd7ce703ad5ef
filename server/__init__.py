"""Làng Số: the offline-first app for Vietnam's community digital-technology teams."""

__version__ = "0.1.0"
