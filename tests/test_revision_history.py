"""修订历史: each cell's reports with who, when, submission and state (生效/已被更新/待审核/退回/已撤回)."""
import pandas as pd

from core.revision_history import label_states


def test_states_per_cell():
    rows = pd.DataFrame([
        (1, "2020Q1", "全市", "committed"), (2, "2020Q1", "全市", "approved"), (3, "2020Q1", "全市", "pending"),
        (4, "2020Q1", "全市", "returned"), (5, "2020Q1", "全市", "undone"), (6, "2020Q1", "赤坎区", "committed"),
        (7, "2020Q2", "全市", "committed"),
    ], columns=["id", "period_code", "district", "submission_state"])
    assert label_states(rows, ["period_code", "district"]).tolist() == [
        "已被更新", "生效", "待审核", "退回", "已撤回", "生效", "生效"]


def test_value_history_on_the_demo(demo_db):
    from db.trust import progress_history, value_history

    df = value_history("T02")
    assert not df.empty and set(df["state"]) == {"生效"} and df["is_demo"].all()
    assert {"value", "user_name", "created_at", "submission_id", "state", "district"} <= set(df.columns)
    assert (df.groupby(["period_code", "district"]).size() == 1).all()
    assert set(progress_history(1)["state"]) == {"生效"}
