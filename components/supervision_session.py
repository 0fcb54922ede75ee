"""The writer of a 督办 action from this browser session: the identity and its login token, which the write
checks again inside its transaction (db.supervision.authorise)."""
from __future__ import annotations

import streamlit as st

from core.auth import Identity
from services.supervision import WEB, Actor

# components/auth_login.py keeps the login token under this session key.
TOKEN_KEY = "au_token"


def actor(identity: Identity) -> Actor:
    return Actor(identity, st.session_state.get(TOKEN_KEY), WEB)
