"""Repositories: one per aggregate, sharing the unit of work's session; none of them commits."""
