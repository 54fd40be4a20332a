"""Household registers: importing a DTKS list (``reading`` the file, ``importer`` writing it;
from the chat: ``imports``) and the export for SIKS-NG (``exporter``; from the chat:
``exports``).
"""
