"""Neighbourhood forums: boards, notes, moderation, tablet and phone pages, the projection wall."""
