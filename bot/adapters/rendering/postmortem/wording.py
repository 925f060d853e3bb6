"""Every word of the post-mortem, in English and Chinese (zh-Hans).

``Words(lang)`` with ``lang`` = ``en``, ``zh`` or ``both`` (headings in both languages, body
text in English). Site config ``postmortem_lang`` or the ``--lang`` flag picks it.
"""

from __future__ import annotations

LANGS = ("en", "zh", "both")

_WORDS: dict[str, tuple[str, str]] = {
    "title": ("Post-mortem", "复盘报告"),
    "summary": ("Summary", "摘要"),
    "impact": ("Impact", "影响"),
    "detection": ("Detection", "发现"),
    "metrics": ("Response metrics", "响应指标"),
    "clocks": ("Clocks", "时限"),
    "stages": ("Stage durations", "阶段时长"),
    "tasks": ("Tasks", "任务"),
    "cadence": ("Stakeholder update cadence", "利益相关方更新节奏"),
    "approvals": ("Statement approval wait", "声明审批等待"),
    "communications": ("Communications issued", "对外沟通"),
    "facts": ("Facts confirmed and retracted", "事实确认与撤回"),
    "signals": ("Signal curves", "舆情曲线"),
    "worked": ("What worked", "做得好的"),
    "didnt": ("What did not work", "待改进的"),
    "cause": ("Root cause", "根本原因"),
    "lesson": ("Lessons", "经验教训"),
    "followups": ("Action items", "后续行动项"),
    "timeline": ("Timeline", "时间线"),
    "reminders": ("Reminders sent", "已发送提醒"),
    "paging": ("Paging: time to acknowledge", "呼叫：确认用时"),
    "paged": ("Paged", "被呼叫人"),
    "pages": ("Pages", "呼叫次数"),
    "escalations": ("Escalations", "升级次数"),
    "acknowledged": ("Acknowledged", "确认"),
    "not_acknowledged": ("not acknowledged", "未确认"),
    "charts": ("Charts", "图表"),
    # table heads and labels
    "incident": ("Incident", "事件"),
    "type": ("Crisis type", "危机类型"),
    "severity": ("Severity", "严重级别"),
    "severity_history": ("Severity history", "级别变更"),
    "status": ("Status", "状态"),
    "declared": ("Declared", "宣布时间"),
    "resolved": ("Resolved", "解决时间"),
    "duration": ("Duration", "持续时间"),
    "roles": ("Roles", "角色"),
    "source": ("Opened by", "来源"),
    "metric": ("Metric", "指标"),
    "value": ("Value", "数值"),
    "target": ("Target", "目标"),
    "result": ("Result", "结果"),
    "due": ("Due", "截止"),
    "met_at": ("Met at", "完成时间"),
    "state": ("State", "状态"),
    "stage": ("Stage", "阶段"),
    "time": ("Time", "时间"),
    "actor": ("By", "操作人"),
    "event": ("Event", "事件"),
    "audience": ("Audience", "受众"),
    "kind": ("Kind", "类型"),
    "lang": ("Language", "语言"),
    "version": ("Version", "版本"),
    "channel": ("Channel", "渠道"),
    "owner": ("Owner", "负责人"),
    "item": ("Item", "事项"),
    "item_state": ("State", "状态"),
    "item_open": ("open", "未完成"),
    "item_done": ("done by {by}, {at}", "已完成（{by}，{at}）"),
    "fact": ("Fact", "事实"),
    "submitted": ("Submitted", "提交"),
    "approved": ("Approved", "批准"),
    "wait": ("Waited", "等待"),
    "rejections": ("Rejections", "驳回"),
    "published": ("Published", "发布"),
    "monitor": ("Monitor", "监控"),
    "first_signal": ("First signal", "首个信号"),
    "generated": ("Generated", "生成时间"),
    "as_of": ("Figures as of", "数据截至"),
    "count": ("Count", "数量"),
    "detect_declare": ("Detect → declare", "发现 → 宣布"),
    "declare_team": ("Declare → team assembled", "宣布 → 团队集结"),
    "declare_statement": ("Declare → first published statement", "宣布 → 首次发布声明"),
    "resolve_time": ("Declare → resolved", "宣布 → 解决"),
    "on_time": ("On time", "按时"),
    "late": ("Late", "逾期完成"),
    "open": ("Open", "未完成"),
    "open_overdue": ("Open and overdue", "未完成且逾期"),
    "kept": ("Kept", "达标"),
    "missed": ("Missed", "未达标"),
    "met": ("Met", "达标"),
    "pending": ("Pending", "进行中"),
    "not_yet": ("not yet", "尚未"),
    "before": ("Before", "事前"),
    "during": ("During", "事中"),
    "after": ("After", "事后"),
    "peak": ("Peak mentions", "提及峰值"),
    "half_life": ("Time to fall to half the peak", "降至峰值一半用时"),
    "at_resolution": ("Mentions at resolution vs peak", "解决时提及量占峰值"),
    "negative_share": ("Negative share", "负面占比"),
    "mentions": ("Mentions", "提及量"),
    "approval_chart": ("Hours waiting for approval per statement", "每份声明等待审批时长（小时）"),
    "response_chart": ("Response times against targets (hours)", "响应时间与目标（小时）"),
    "stages_chart": ("Time in each stage", "各阶段用时"),
    "mentions_chart": ("Mention volume", "提及量变化"),
    "sentiment_chart": ("Sentiment share before, during and after", "事前、事中、事后情绪占比"),
    # sentences
    "to_complete": ("✍️ TO COMPLETE — the incident lead fills this in.", "✍️ 待填写——由事件负责人补充。"),
    "prefilled": ("Prefilled from notes tagged `{tag}:`; review before sharing.",
                  "根据标记为 `{tag}:` 的备注预填；分享前请核对。"),
    "no_monitor": ("No monitor alert is linked to this incident: it was declared by a person, "
                   "so there is no detection lead time to measure.",
                   "本事件没有关联的监控告警：由人工宣布，无法计算发现提前量。"),
    "no_statements": ("No statement was published.", "未发布任何声明。"),
    "no_statement_flow": ("No statement went through review.", "没有声明经过审核流程。"),
    "no_tasks": ("No tasks were recorded.", "未记录任何任务。"),
    "no_facts": ("No facts were confirmed or retracted.", "没有事实被确认或撤回。"),
    "no_impact": ("No impact figures were recorded.", "未记录影响数据。"),
    "no_signals": ("No monitor samples are stored for this incident, so there are no signal "
                   "curves.", "本事件没有监控采样数据，因此没有舆情曲线。"),
    "no_sentiment": ("No sentiment samples.", "没有情绪采样。"),
    "no_followups": ("No action items yet; add them with `/crisis followup <text> [@owner]`.",
                     "暂无行动项；可用 `/crisis followup <内容> [@负责人]` 添加。"),
    "no_cadence": ("No update cadence to measure before the first statement.",
                   "首次声明前无更新节奏可计算。"),
    "no_clocks": ("No clock could be computed.", "无法计算时限。"),
    "no_reminders": ("No reminders were sent.", "未发送提醒。"),
    "no_paging": ("Nobody was paged.", "未呼叫任何人。"),
    "unassigned": ("nobody", "无人"),
    "by_person": ("declared by a person, no monitor", "人工宣布，无监控"),
    "tasks_line": ("{on_time} on time, {late} late, {open} open", "按时 {on_time}，逾期 {late}，未完成 {open}"),
    "cadence_line": ("{kept} kept, {missed} missed", "达标 {kept}，未达标 {missed}"),
    "clocks_line": ("{met} met, {missed} missed, {pending} pending",
                    "达标 {met}，未达标 {missed}，进行中 {pending}"),
    "active": ("active (figures as of the last event)", "进行中（数据截至最后一条记录）"),
    "charts_in_html": ("Charts are in the HTML version of this report.", "图表见本报告的 HTML 版本。"),
    "cadence_rule": ("one update every {every} at severity {sev}", "级别 {sev} 每 {every} 更新一次"),
    "detect_negative": ("declared {lead} before the first alert", "在首个告警前 {lead} 宣布"),
    "not_assembled": ("not assembled", "未集结"),
    "not_published": ("not published", "未发布"),
    "not_approved": ("not approved", "未批准"),
    "slack_summary": ("Post-mortem {id} (v{version})", "复盘报告 {id}（第 {version} 版）"),
    "integrity": ("Record integrity", "记录完整性"),
    "chain_head": (("The {events} timeline events this report was built from are hash-chained "
                    "(SHA-256); the chain head is `{head}`. `crisisbot verify {id} --events "
                    "{events}` recomputes it: while it prints this head, none of those events "
                    "was changed."),
                   ("本报告所依据的 {events} 条时间线记录以 SHA-256 哈希链相连，链头为 `{head}`。"
                    "`crisisbot verify {id} --events {events}` 会重新计算：只要输出的仍是此链头，"
                    "这些记录就未被改动。")),
}


class Words:
    """Look up headings (``h``) and sentences (``t``) in the chosen language."""

    def __init__(self, lang: str = "en") -> None:
        if lang not in LANGS:
            raise ValueError(f"post-mortem language `{lang}` is not one of {', '.join(LANGS)}")
        self.lang = lang

    def h(self, key: str) -> str:
        en, zh = _WORDS[key]
        if self.lang == "zh":
            return zh
        if self.lang == "both":
            return f"{en} · {zh}"
        return en

    def t(self, key: str, **values: object) -> str:
        en, zh = _WORDS[key]
        text = zh if self.lang == "zh" else en
        return text.format(**values) if values else text

    @property
    def html_lang(self) -> str:
        return "zh-Hans" if self.lang == "zh" else "en"
