"""All computation behind the app. Nothing here imports Streamlit."""
