"""Household registers: importing a DTKS list (``importer``; from the chat: ``imports``) and
the export for SIKS-NG (``exporter``; from the chat: ``exports``).
"""
