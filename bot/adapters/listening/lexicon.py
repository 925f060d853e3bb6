"""A crisis-domain sentiment lexicon for e-commerce posts (zh-Hans and en; zh-Hant posts are
folded to Simplified before lookup).

General-purpose models (VADER, snownlp's review model) miss what matters in a crisis: 烂脸,
"no refund", "hung up on me", 避雷, a recall. These entries carry that vocabulary. Weights:
±1 a clear sign, ±2 a strong one; phrases are matched as words in a row (see ``segment.py``).
Negators flip the next words' sign (``not helpful``, 不满意). Neutral cues (a question, a
report of what somebody said) damp the package model, which reads news as opinion.

Written for crisisbot from crisis-communication practice; tuned only against the
development part of ``bench/data`` (the held-out part is never looked at while tuning).
"""

from __future__ import annotations

NEGATIVE_ZH: dict[str, float] = {w: 2.0 for w in (
    "烂脸", "过敏", "灼伤", "烧伤", "烫伤", "红肿", "脱皮", "起疹子", "荨麻疹", "皮炎", "毁容",
    "骗子", "诈骗", "欺诈", "假货", "虚假宣传", "无耻", "恶心", "垃圾", "离谱", "抵制", "避雷",
    "失望透顶", "不满意", "非常不满意", "吃相难看", "气死", "气死了", "丢人", "侮辱", "太差", "最差", "太烂", "翻车",
    "不负责任", "被背叛", "心虚", "一塌糊涂", "毁了", "买毁了", "踢皮球", "无语", "后悔",
    "起诉", "投诉", "泄露", "外泄", "被盗", "挂失", "不安全", "有害", "有毒", "中毒", "坏肚子",
    "烧化", "着火", "拖", "扯皮", "馊味", "过期", "删差评", "封号", "可怕", "震惊", "可笑",
)} | {w: 1.0 for w in (
    "差", "烂", "坑", "慢", "贵", "难用", "难闻", "头晕", "失望", "不满", "生气", "烦",
    "烦死了", "延迟", "延误", "丢件", "缺货", "涨价", "扣费", "扣钱", "挂", "挂电话", "没人接",
    "联系不上", "不给退", "不退", "没到账", "卡", "坏", "坏了", "漏", "压扁", "摔坏", "问题",
    "借口", "谎话", "谎言", "套路", "甩锅", "模板", "复制粘贴", "敷衍", "等了", "拜拜", "心累",
    "受害", "骗", "不信", "不敢", "沉默", "无视", "降质", "散", "崩", "崩了", "苛刻", "受伤",
)}

POSITIVE_ZH: dict[str, float] = {w: 2.0 for w in (
    "点赞", "好评", "满意", "非常满意", "感谢", "谢谢", "太给力", "给力", "尊重", "透明", "诚恳",
    "真诚", "圈粉", "放心", "开心", "五星", "超出预期", "骄傲", "忠实", "很好用", "处理得好",
    "处理得很好", "做得好", "做得对", "做到位", "没问题", "一点问题都没有", "从没出过问题",
    "赞", "讚", "暖", "好暖",
)} | {w: 1.0 for w in (
    "好", "好用", "很好", "棒", "太棒", "喜欢", "最喜欢", "信任", "更信任", "及时", "迅速", "快",
    "很快", "顺利", "耐心", "温柔", "专业", "热情", "大方", "划算", "流畅", "用心", "担起责任",
    "承认", "修复", "解决", "解决了", "到账了", "支持", "继续支持", "安全", "印象深刻", "帮助",
)}

NEGATIVE_EN: dict[str, float] = {w: 2.0 for w in (
    "burn", "burned", "burns", "burning", "rash", "hives", "allergic", "dermatitis", "swollen",
    "peeled", "poisoning", "scam", "scammed", "fraud", "counterfeit", "fake", "lie", "lies",
    "disgusting", "shameful", "shame", "pathetic", "useless", "garbage", "horrible", "terrible",
    "worst", "awful", "ridiculous", "unacceptable", "irresponsible", "furious", "boycott",
    "avoid", "dangerous", "harmful", "unsafe", "betrayed", "regret", "insult", "never again",
    "no refund", "hung up", "hanging up", "leaked", "leak", "hacked", "dark web", "done with",
    "do not buy", "legal action", "lost my trust", "#acmefail", "greedy", "suspicious",
    "disaster", "nobody answers", "stalling", "rotten", "melted", "sick of", "denied",
)} | {w: 1.0 for w in (
    "late", "delayed", "delay", "lost", "broken", "broke", "crushed", "stuck", "waiting",
    "still waiting", "still no", "ignoring", "ignore", "excuses", "silence", "blame", "blamed",
    "blaming", "complaint", "complained", "cancelled", "charged", "twice", "overpriced", "cheap",
    "mess", "worse", "downhill", "rude", "crashed", "died", "rejected", "wasted", "loops",
    "templates", "copy-paste", "hiding", "ugh", "disappointed", "not happy", "not impressed",
    "insult", "template", "deleted", "locked", "exposed", "smelled", "dizzy", "hurt",
)}

POSITIVE_EN: dict[str, float] = {w: 2.0 for w in (
    "impressed", "thank you", "thanks", "kudos", "respect", "excellent", "amazing", "fantastic",
    "delighted", "love", "great", "best", "well done", "good job", "well handled", "appreciated",
    "appreciate", "transparency", "transparent", "five stars", "loyal", "relieved", "proud",
    "happy", "pleased", "generous", "lovely", "wonders", "won me over", "no problems",
    "not a single issue", "not a single complaint", "did the right thing", "made it right",
)} | {w: 1.0 for w in (
    "good", "fast", "quick", "quickly", "friendly", "kind", "patient", "helpful", "smooth",
    "solved", "resolved", "sorted", "fixed", "honest", "sincere", "clear", "calm", "fair",
    "painless", "trust", "glad", "favourite", "safe", "responsibility", "owned", "early",
    "perfectly", "super", "nice", "staying",
)}

NEGATORS_ZH = frozenset({"不", "没", "没有", "别", "未", "无", "不是", "并不", "从不", "毫无", "不够"})
NEGATORS_EN = frozenset({"not", "no", "never", "don't", "doesn't", "isn't", "wasn't", "didn't",
                         "won't", "can't", "cannot", "hardly", "without", "nothing", "zero"})

#: Words that make a post a question or a report: the package models read them as opinion.
NEUTRAL_CUES_ZH = frozenset({"吗", "请问", "据", "据说", "表示", "称", "宣布", "通知", "发布",
                             "是否", "有人", "怎么", "哪", "哪里", "哪家", "预计", "确认"})
NEUTRAL_CUES_EN = frozenset({"?", "according", "says", "said", "announced", "confirmed",
                             "reports", "report", "will", "expected", "anyone", "how", "which",
                             "where", "whether", "news", "per"})

#: A small generic list, for the keyword baseline only (what a naive filter would use).
BASELINE = {
    "zh": ({"差", "烂", "坑", "垃圾", "失望", "骗", "投诉", "问题"}, {"好", "棒", "赞", "满意", "谢谢", "喜欢"}),
    "en": ({"bad", "terrible", "worst", "awful", "hate", "scam", "broken", "angry"},
           {"good", "great", "love", "best", "thanks", "happy", "excellent"}),
}
