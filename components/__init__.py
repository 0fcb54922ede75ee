"""Reusable UI pieces. Each owns its widget keys; builders return Altair charts or pydeck decks."""
