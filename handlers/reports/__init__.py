"""Problem reports ("Lapor kendala") between operators and Dinsos (``view``)."""
