"""People and access: registration with invite codes and the data notice
(``registration``), roles, people and invites taken back (``access``).
"""
