"""Households as data subjects (UU PDP): the subject report (every record, change and export
touching a NIK, with who and when) and restricting a household at its subject's request."""
