"""Running the household forms: the household picker and the engine steps (``runner``), the
duplicate No. KK / NIK warnings before the review (``duplicates``), and saving a completed form
with its access check (``saving``).
"""
