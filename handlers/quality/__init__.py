"""Data quality for Dinsos: duplicate NIKs, NIKs that disagree with the answers, households
nobody touched (``view``).
"""
