"""Progress of villages, kecamatan and kabupaten: the view and its workbook (``view``), the
weekly digest (``digest``) and the charts (``charts``).
"""
