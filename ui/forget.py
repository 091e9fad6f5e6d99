"""The "Forget my data" button: this session's uploads, models and results leave the server's memory."""

from __future__ import annotations

import logging

import streamlit as st

from ui import cached, state

log = logging.getLogger(__name__)
FORGOTTEN = "forgot_my_data"


def forget_my_data() -> None:
    """Clear this session's state (tables, models, synthetic tables, widget values), the files it uploaded,
    and every cached result computed from users' data. The next run starts afresh on the demo table."""
    state.close_evaluation_contexts()  # background checks stop now, not when their queue runs dry
    for key in list(st.session_state.keys()):
        if key in state.DEFAULTS:  # reset, not deleted: the page may run before init_state sees it again
            st.session_state[key] = state.default(key)
        else:  # widget values (the uploaders' files, chosen columns, typed conditions) and everything else
            del st.session_state[key]
    try:  # the uploaded files' bytes are held per session by Streamlit's upload manager
        from streamlit.runtime import get_instance
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx()
        if ctx is not None:
            get_instance().uploaded_file_mgr.remove_session_files(ctx.session_id)
    except Exception:  # no runtime (AppTest) or another Streamlit layout: the state above is still gone
        log.debug("could not drop this session's uploaded files", exc_info=True)
    cached.clear_user_data()
    state.init_state()  # the demo table again, whether or not this run's init_state has already happened
    st.session_state[FORGOTTEN] = True


def forget_button() -> None:
    """The sidebar button, and a note after it was used."""
    st.sidebar.button(
        "Forget my data",
        key="forget_my_data_button",
        icon=":material/delete_forever:",
        on_click=forget_my_data,
        help="Remove your uploaded tables, fitted models, synthetic tables and cached results from the server now "
        "(they also expire on their own after an hour).",
    )
    if st.session_state.get(FORGOTTEN):
        st.sidebar.caption("Your data was removed from this server. The demo table is loaded again.")
