"""The only Streamlit-aware part of seep: widgets and state shared by the pages."""
