"""The app layer: one file per screen, plus the shell's helpers (`ui`) and the chapter list
(`outline`). Not `pages/`: a top-level folder of that name makes Streamlit route a fresh
server's first direct link around `st.navigation`.
"""
