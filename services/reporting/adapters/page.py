"""The command centre's HTML view of a day: the briefing, a per-township table and inline SVG
charts (records per hour, statuses per feed). No script, no CDN: one self-contained page."""

from __future__ import annotations

from html import escape
from typing import Any

from services.reporting.domain.labels import STATUS_NAMES, STATUSES

COLORS = {"verified": "#2e7d32", "system_fault": "#c62828", "unreachable": "#ef6c00",
          "pending": "#1565c0"}
_CSS = """
body{font-family:"Noto Sans CJK SC","WenQuanYi Micro Hei","Source Han Sans SC",sans-serif;
margin:24px;color:#1b1b1b;background:#f6f7f9}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:24px 0 8px}
.sub{color:#555;margin-bottom:16px}
.card{background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:16px;margin-bottom:16px}
.briefing p{margin:6px 0;line-height:1.7;font-size:15px}
.kpis{display:flex;gap:12px;flex-wrap:wrap}
.kpi{background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:10px 16px;min-width:110px}
.kpi b{display:block;font-size:24px}.kpi span{color:#555;font-size:13px}
table{border-collapse:collapse;width:100%;background:#fff;font-size:14px}
th,td{border:1px solid #dde1e6;padding:6px 8px;text-align:right}
th{background:#eef1f5}td:first-child,th:first-child{text-align:left}
.charts{display:flex;gap:16px;flex-wrap:wrap}
.legend span{display:inline-block;margin-right:14px;font-size:13px}
.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}
"""


def _hourly_svg(hourly: list[int]) -> str:
    width, height, left, bottom = 560, 220, 36, 28
    top = max(hourly) or 1
    bar = (width - left - 10) / 24
    parts = [f'<svg id="flow-chart" role="img" aria-label="每小时推送数据" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}" '
             'xmlns="http://www.w3.org/2000/svg">',
             f'<line x1="{left}" y1="{height - bottom}" x2="{width - 5}" y2="{height - bottom}" '
             'stroke="#888"/>',
             f'<text x="{left - 4}" y="16" font-size="11" text-anchor="end">{top}</text>']
    for hour, count in enumerate(hourly):
        h = (height - bottom - 20) * count / top
        x = left + hour * bar + 2
        parts.append(f'<rect class="bar" x="{x:.1f}" y="{height - bottom - h:.1f}" '
                     f'width="{bar - 4:.1f}" height="{h:.1f}" fill="#1565c0">'
                     f'<title>{hour}时：{count}条</title></rect>')
        if hour % 3 == 0:
            parts.append(f'<text x="{x + bar / 2 - 2:.1f}" y="{height - bottom + 14}" '
                         f'font-size="11" text-anchor="middle">{hour}时</text>')
    parts.append("</svg>")
    return "".join(parts)


def _status_svg(report: dict[str, Any]) -> str:
    rows = [(f["name"], f["today"]) for f in report["feeds"]] + [("合计", report["today"])]
    width, row_h, left = 560, 30, 130
    height = row_h * len(rows) + 10
    top = max((r["pushed"] for _, r in rows), default=0) or 1
    parts = [f'<svg id="status-chart" role="img" aria-label="各渠道核查状态" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}" '
             'xmlns="http://www.w3.org/2000/svg">']
    for i, (name, counts) in enumerate(rows):
        y = 5 + i * row_h
        parts.append(f'<text x="{left - 6}" y="{y + 18}" font-size="12" text-anchor="end">'
                     f'{escape(name)}</text>')
        x = float(left)
        for status in STATUSES:
            w = (width - left - 50) * counts[status] / top
            if w > 0:
                parts.append(f'<rect class="seg {status}" x="{x:.1f}" y="{y + 4}" '
                             f'width="{w:.1f}" height="{row_h - 10}" fill="{COLORS[status]}">'
                             f'<title>{STATUS_NAMES[status]}：{counts[status]}条</title></rect>')
                x += w
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 18}" font-size="12">{counts["pushed"]}</text>')
    parts.append("</svg>")
    return "".join(parts)


def render(report: dict[str, Any]) -> str:
    today, county = report["today"], report["county"]
    kpis = [("今日推送", today["pushed"]), ("已核实", today["verified"]),
            ("系统故障", today["system_fault"]), ("无人接听", today["unreachable"]),
            ("正在核查", today["pending"]), ("超时未核实任务", report["tasks"]["overdue_now"]),
            ("今日拒收", report["rejected"]["today"]["total"])]
    town_rows = "".join(
        f"<tr><td>{escape(t['name'])}</td>" + "".join(
            f"<td>{t['today'][k]}</td>" for k in ("pushed", *STATUSES))
        + f"<td>{t['cumulative']['pushed']}</td></tr>" for t in report["townships"])
    legend = "".join(f'<span><i style="background:{COLORS[s]}"></i>{STATUS_NAMES[s]}</span>'
                     for s in STATUSES)
    briefing = "".join(f"<p>{escape(s)}</p>" for s in report["briefing"])
    kpi_html = "".join(f'<div class="kpi"><b>{v}</b><span>{k}</span></div>' for k, v in kpis)
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>{escape(county['name'])} 风险人员排查日报 {report['date']}</title>
<style>{_CSS}</style></head>
<body>
<h1>{escape(county['name'])}风险人员排查管控日报</h1>
<div class="sub">{report['date']}（北京时间） · 统计起点 {report['campaign_start']}</div>
<div class="card briefing" id="briefing">{briefing}</div>
<div class="kpis">{kpi_html}</div>
<h2>今日数据流与核查状态</h2>
<div class="charts">
<div class="card"><div>每小时推送数据（条）</div>{_hourly_svg(report['hourly'])}</div>
<div class="card"><div>各渠道核查状态（条）</div>{_status_svg(report)}
<div class="legend">{legend}</div></div>
</div>
<h2>分乡镇情况</h2>
<table id="townships"><thead><tr><th>乡镇</th><th>今日推送</th><th>已核实</th>
<th>系统故障无法审核</th><th>无人接听</th><th>正在核查</th><th>累计推送</th></tr></thead>
<tbody>{town_rows}</tbody></table>
</body></html>"""
