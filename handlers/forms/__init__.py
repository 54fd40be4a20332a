"""Running the household forms: the household picker and the engine steps (``runner``), and
saving a completed form with its access check (``saving``).
"""
