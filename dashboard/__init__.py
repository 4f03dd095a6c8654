"""The planwatch dashboard (Streamlit + Plotly) over the published warehouse only."""
