"""Parley: online mediation where the agreement to mediate is enforced by the software."""
