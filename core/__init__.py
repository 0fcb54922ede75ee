"""Pure logic of the dashboard: no Streamlit, no database sessions."""
