"""年度考核 as a 公文 .docx (core.official_doc, like the 通报): the result in words, the rule, and two 附件 —
every department's line (名次 with its ties, 汇总分 − 扣分 + 加分 = 最终得分, 等级) and the 加分/扣分/一票否决 items.

The numbers are the AnnualResult's own, the same the Excel workbook (core.assessment_export) prints; the 主送
and 发文机关 are the 通报's (data/plans/2018-2020/bulletin_template.toml), so the office edits them in one place.
"""
from __future__ import annotations

from datetime import date
from typing import Sequence

import pandas as pd

from core.assessment import KIND_LABELS, AnnualResult
from core.bulletin import GRADE_FILLS
from core.bulletin_docx import CN_NUMBERS, DEMO_NOTICE, load_template
from core.official_doc import OfficialDoc

ANNEXES = ("年度考核结果", "加分、扣分与一票否决")


def _num(v) -> str:
    return "—" if v is None else f"{float(v):.1f}"


def annual_docx(year: int, results: Sequence[AnnualResult], adjustments: pd.DataFrame, vetoes: pd.DataFrame,
                rule_lines: Sequence[str], generated_on: date, demo: bool = False) -> bytes:
    tpl = load_template()
    title = f"关于{year}年度全市质量提升行动部门考核结果的通报"
    doc = OfficialDoc(title)
    doc.title(title)
    if demo:
        doc.notice(DEMO_NOTICE)
    doc.addressee(tpl.addressee)
    doc.para(f"根据《湛江市开展质量提升行动的方案》督察考核要求，现将{year}年度各部门考核结果通报如下。")
    doc.heading(f"{CN_NUMBERS[0]}、考核结果")
    for text in summary_lines(year, results):
        doc.para(text)
    doc.heading(f"{CN_NUMBERS[1]}、考核办法")
    for i, line in enumerate(rule_lines):
        doc.para(f"（{CN_NUMBERS[i] if i < len(CN_NUMBERS) else i + 1}）{line}")
    doc.para(tpl.closing)
    doc.attachments_list(ANNEXES)
    doc.signature(tpl.issuer, f"{generated_on.year}年{generated_on.month}月{generated_on.day}日")
    doc.attachment(1, ANNEXES[0])
    doc.table(["名次", "部门", "汇总分", "扣分", "加分", "最终得分", "等级"],
              [[r.rank_text, r.department, _num(r.rollup), _num(r.penalty), _num(r.bonus), _num(r.final),
                r.grade_text] for r in results],
              [30, 42, 16, 14, 14, 16, 24], fills=[GRADE_FILLS.get(r.grade or "") for r in results], fill_column=6)
    doc.attachment(2, ANNEXES[1])
    rows = [[a["department"], KIND_LABELS.get(a["kind"], a["kind"]), f"{a['code']} {a['name']}",
             _num(a["points"]), a["reason"], ("已撤销" if a["withdrawn"] else "有效")]
            for a in adjustments.to_dict("records")]
    rows += [[v["department"], "一票否决", "等级为 D", "—", v["reason"], "已撤销" if v["lifted"] else "有效"]
             for v in vetoes.to_dict("records")]
    if rows:
        doc.table(["部门", "类别", "项目", "分值", "理由", "是否有效"], rows, [30, 14, 34, 12, 50, 16])
    else:
        doc.para("本年度未记录加分、扣分或一票否决。")
    return doc.bytes()


def summary_lines(year: int, results: Sequence[AnnualResult]) -> list[str]:
    """考核结果 in words: how many ranked, the grades, the first places (ties whole), vetoes, 样本不足."""
    ranked = [r for r in results if r.ranked]
    out = []
    if ranked:
        grades = "、".join(f"{g}级{sum(r.grade == g for r in ranked)}个" for g in "ABCD")
        first = [r for r in ranked if r.rank == 1]
        out.append(f"{year}年度共{len(results)}个部门参加考核，{len(ranked)}个部门参与排名，其中{grades}。"
                   f"{first[0].rank_text}：{'、'.join(r.department for r in first)}（{_num(first[0].final)}分）。")
    else:
        out.append(f"{year}年度共{len(results)}个部门参加考核，尚无部门参与排名。")
    vetoed = [r.department for r in results if r.veto]
    if vetoed:
        out.append(f"一票否决（等级为 D）：{'、'.join(vetoed)}。")
    thin = [r.department for r in results if r.final is not None and not r.sample_ok]
    if thin:
        out.append(f"考核的指标与任务少于规定项数、样本不足不排名的部门{len(thin)}个：{'、'.join(thin)}。")
    out.append("各部门的季度得分、汇总分、加分、扣分及最终得分见附件1，加分、扣分与一票否决的理由见附件2。")
    return out
